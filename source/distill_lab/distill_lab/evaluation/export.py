"""Export a trained policy (student or teacher) to TorchScript and ONNX and check both match the in-memory policy."""

from __future__ import annotations

import json
import os

import numpy as np
import onnx
import torch

from distill_lab.io import DistillLabError, write_atomic

from .metadata import policy_metadata


def export_policy(runner, out_dir: str, env=None) -> tuple[str, str]:
    """Write ``policy.pt`` (TorchScript, RSL-RL's exporter) and ``policy.onnx``, each atomically; return their paths.

    The ONNX file is one self-contained file (opset 18) with the observation normalizer baked in, a dynamic batch
    dimension, and, when ``env`` (the wrapped env) is given, the deployment contract as metadata
    (:func:`~distill_lab.evaluation.metadata.policy_metadata`).
    """
    os.makedirs(out_dir, exist_ok=True)
    jit_path, onnx_path = os.path.join(out_dir, "policy.pt"), os.path.join(out_dir, "policy.onnx")
    write_atomic(jit_path, lambda tmp: runner.export_policy_to_jit(out_dir, filename=os.path.basename(tmp)))
    policy = runner.alg.get_policy()
    model = policy.as_onnx(verbose=False).to("cpu").eval()
    inputs, outputs = model.input_names, model.output_names
    axes = {name: {0: "batch"} for name in ("obs", "actions")}
    axes |= {name: {1: "batch"} for name in inputs[1:] + outputs[1:]}
    meta = policy_metadata(policy, env) if env is not None else {}

    def write_onnx(tmp: str) -> None:
        torch.onnx.export(
            model,
            model.get_dummy_inputs(),
            tmp,
            input_names=inputs,
            output_names=outputs,
            opset_version=18,
            dynamic_axes=axes,
            dynamo=False,
        )
        proto = onnx.load(tmp)
        for key, value in meta.items():
            proto.metadata_props.add(key=key, value=json.dumps(value))
        onnx.save(proto, tmp)

    if os.path.exists(onnx_path + ".data"):  # an older export's external-data file would be left behind
        os.remove(onnx_path + ".data")
    write_atomic(onnx_path, write_onnx)
    return jit_path, onnx_path


def obs_layout(env) -> dict[str, list[tuple[str, int]]]:
    """Each obs group's ``(term, size)`` in order; a Direct env, which has no observation manager, gives
    ``(group, size)``."""
    manager = getattr(env.unwrapped, "observation_manager", None)
    if manager is None:
        return {group: [(group, obs.shape[-1])] for group, obs in env.get_observations().items()}
    return {
        group: [(t, int(np.prod(d))) for t, d in zip(terms, manager.group_obs_term_dim[group], strict=True)]
        for group, terms in manager.active_terms.items()
    }


def replay_exported(
    jit_path: str, onnx_path: str, obs: torch.Tensor, dones: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """Actions of the exported files along an observation sequence of one env, resetting memory after dones."""
    import onnxruntime as ort

    jit = torch.jit.load(jit_path).eval()
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    state = {i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32) for i in inputs[1:]}
    out_names = [o.name for o in session.get_outputs()]
    jit_actions, onnx_actions = [], []
    for t in range(obs.shape[0]):
        x = obs[t : t + 1].float()
        with torch.inference_mode():  # the recorded obs are inference tensors: no autograd for an MLP's first layer
            jit_actions.append(jit(x).numpy()[0])
        outputs = session.run(None, {inputs[0].name: x.numpy(), **state})
        onnx_actions.append(outputs[0][0])
        # recurrent state: h_out -> h_in (c_out -> c_in)
        for name, value in zip(out_names[1:], outputs[1:], strict=True):
            state[name.replace("_out", "_in")] = value
        if bool(dones[t]):
            jit.reset()
            state = {k: np.zeros_like(v) for k, v in state.items()}
    return np.stack(jit_actions), np.stack(onnx_actions)


def onnx_batch_error(onnx_path: str, obs: torch.Tensor) -> float:
    """Max abs difference between one batched ONNX call and the same rows run one by one (checks the batch axis)."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()

    def call(x: np.ndarray) -> np.ndarray:
        state = {
            i.name: np.zeros([d if isinstance(d, int) else len(x) for d in i.shape], np.float32) for i in inputs[1:]
        }
        return session.run(None, {inputs[0].name: x, **state})[0]

    x = obs.float().numpy()
    return float(np.abs(call(x) - np.concatenate([call(x[i : i + 1]) for i in range(len(x))])).max())


def check_export_parity(jit_path: str, onnx_path: str, trace: dict[str, torch.Tensor], atol: float = 1e-4) -> float:
    """Max abs difference between the exported policies' and the in-memory policy's actions; raise if above ``atol``.

    The ONNX file is also run once on a batch of the recorded observations, which must match row-by-row calls.
    """
    jit_actions, onnx_actions = replay_exported(jit_path, onnx_path, trace["obs"], trace["dones"])
    reference = trace["actions"].numpy()
    err = max(np.abs(jit_actions - reference).max(), np.abs(onnx_actions - reference).max())
    err = max(err, onnx_batch_error(onnx_path, trace["obs"][:16]))
    if not err <= atol:
        raise DistillLabError(f"exported policy differs from the in-memory one by {err:.2e} (tolerance {atol:.0e}).")
    return float(err)
