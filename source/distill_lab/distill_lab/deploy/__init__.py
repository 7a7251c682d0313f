"""Deployment without Isaac Lab or torch (layer 0): an exported ``policy.onnx`` and its metadata contract, run in a
second simulator (MuJoCo C) on a robot's MJCF, with the observation vector rebuilt from that simulator's state.

* :mod:`.contract` reads and checks the metadata; :mod:`.policy` runs the ONNX file with onnxruntime;
* :mod:`.scene` compiles the MJCF with the training's actuator model and reads the state in Isaac Lab's conventions;
* :mod:`.terms` rebuilds observation, reward and termination terms; :mod:`.actuation` applies the action terms;
* :mod:`.commands` makes velocity sequences, target points and start states; :mod:`.runner` steps episodes;
* :mod:`.render` films them offscreen; :mod:`.sim2sim` is the command (``scripts/deploy/sim2sim.py``).

Only NumPy, onnxruntime, MuJoCo and :mod:`distill_lab.io` are imported (Pillow and imageio to write videos).
"""
