"""Run an exported distill_lab policy with onnxruntime alone (no Isaac Lab, no torch): a minimal deployment loop.

    python scripts/deploy/run_onnx.py logs/rsl_rl/<experiment>/<run>/exported/policy.onnx [--steps 200] [--batch 1]

It reads the metadata stored in the file (observation layout, action mapping, control rate, recurrent state), then
runs the policy at its control rate on stand-in observations, carrying the recurrent state from step to step as a
robot's controller would. Replace ``read_observation`` with the robot's state estimate.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import onnxruntime as ort


def read_observation(step: int, batch: int, obs_dim: int) -> np.ndarray:
    """Stand-in for the robot's sensors: small deterministic signals in the documented observation layout."""
    t = np.arange(obs_dim, dtype=np.float32)
    return np.tile(0.1 * np.sin(0.05 * step + t), (batch, 1)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("onnx_file")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()

    session = ort.InferenceSession(args.onnx_file, providers=["CPUExecutionProvider"])
    meta = {k: json.loads(v) for k, v in session.get_modelmeta().custom_metadata_map.items()}
    inputs = session.get_inputs()
    obs_dim = meta.get("obs_dim", inputs[0].shape[1])
    print(f"policy: {args.onnx_file}")
    print(f"  observations ({obs_dim}): " + ", ".join(f"{o['term']}[{o['dim']}]" for o in meta.get("observations", [])))
    print(f"  actions: {[(a['term'], a['dim']) for a in meta.get('actions', [])]}")
    print(f"  control rate: {meta.get('control_rate_hz')} Hz, recurrent: {meta.get('recurrent', False)}")
    state = {
        i.name: np.zeros([d if isinstance(d, int) else args.batch for d in i.shape], np.float32) for i in inputs[1:]
    }
    out_names = [o.name for o in session.get_outputs()]
    latencies = []
    for step in range(args.steps):
        obs = read_observation(step, args.batch, obs_dim)
        start = time.perf_counter()
        outputs = session.run(None, {inputs[0].name: obs, **state})
        latencies.append(time.perf_counter() - start)
        actions = outputs[0]
        for name, value in zip(out_names[1:], outputs[1:], strict=True):  # h_out -> h_in for the next step
            state[name.replace("_out", "_in")] = value
        if not np.isfinite(actions).all():
            raise SystemExit(f"non-finite action at step {step}")
    print(f"  ran {args.steps} steps, batch {args.batch}: last action {np.round(actions[0], 3).tolist()}")
    print(f"  latency per step: median {1e3 * np.median(latencies):.3f} ms, max {1e3 * np.max(latencies):.3f} ms")


if __name__ == "__main__":
    main()
