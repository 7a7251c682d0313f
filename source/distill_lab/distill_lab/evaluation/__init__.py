"""Evaluation: roll policies out on identical initial states, sweep a robustness parameter, profile and export the
policy (TorchScript, ONNX with deployment metadata), watch it (Viser, NewtonGL videos) and write the report."""
