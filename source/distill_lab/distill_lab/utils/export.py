"""Export a trained policy (student or teacher) to TorchScript and ONNX and check both match the in-memory policy."""

from __future__ import annotations

import os

import numpy as np
import torch

from .errors import DistillLabError


def export_policy(runner, out_dir: str) -> tuple[str, str]:
    """Write ``policy.pt`` (TorchScript) and ``policy.onnx`` with RSL-RL's exporters; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    runner.export_policy_to_jit(out_dir, filename="policy.pt")
    runner.export_policy_to_onnx(out_dir, filename="policy.onnx")
    return os.path.join(out_dir, "policy.pt"), os.path.join(out_dir, "policy.onnx")


def replay_exported(
    jit_path: str, onnx_path: str, obs: torch.Tensor, dones: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """Actions of the exported files along an observation sequence of one env, resetting memory after dones."""
    import onnxruntime as ort

    jit = torch.jit.load(jit_path)
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    state = {i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32) for i in inputs[1:]}
    out_names = [o.name for o in session.get_outputs()]
    jit_actions, onnx_actions = [], []
    for t in range(obs.shape[0]):
        x = obs[t : t + 1].float()
        jit_actions.append(jit(x).detach().numpy()[0])
        outputs = session.run(None, {inputs[0].name: x.numpy(), **state})
        onnx_actions.append(outputs[0][0])
        # recurrent state: h_out -> h_in (c_out -> c_in)
        for name, value in zip(out_names[1:], outputs[1:], strict=True):
            state[name.replace("_out", "_in")] = value
        if bool(dones[t]):
            jit.reset()
            state = {k: np.zeros_like(v) for k, v in state.items()}
    return np.stack(jit_actions), np.stack(onnx_actions)


def check_export_parity(jit_path: str, onnx_path: str, trace: dict[str, torch.Tensor], atol: float = 1e-4) -> float:
    """Max abs difference between the exported policies' and the in-memory policy's actions; raise if above ``atol``."""
    jit_actions, onnx_actions = replay_exported(jit_path, onnx_path, trace["obs"], trace["dones"])
    reference = trace["actions"].numpy()
    err = max(np.abs(jit_actions - reference).max(), np.abs(onnx_actions - reference).max())
    if not err <= atol:
        raise DistillLabError(f"exported policy differs from the in-memory one by {err:.2e} (tolerance {atol:.0e}).")
    return float(err)
