"""Benchmark: Quadcopter-Point-Ctrl env-steps/s (random actions, full managers) at several env counts, on CPU Newton.

    python bench/quadcopter_speed.py [--num_envs 64 256 1024] [--steps 300]
Writes bench/results/quadcopter_speed.json. Target: >= 10k env-steps/s at 1024 envs on a 2-core CPU.
Each size runs in its own process (one simulation per process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

RESULT = os.path.join(os.path.dirname(__file__), "results", "quadcopter_speed.json")
TARGET = 10_000


def measure(num_envs: int, steps: int) -> dict:
    """Env-steps/s of one env count (run in a child process)."""
    import gymnasium as gym
    import torch

    import distill_lab  # noqa: F401
    from distill_lab.utils import resolve_configs, simulation

    torch.set_num_threads(1)
    env_cfg, _ = resolve_configs("Quadcopter-Point-Ctrl", None, [f"env.scene.num_envs={num_envs}"])
    with simulation(env_cfg, "cpu"):
        env = gym.make("Quadcopter-Point-Ctrl", cfg=env_cfg)
        env.reset()
        for _ in range(20):  # warm-up
            env.step(torch.rand(num_envs, 4) * 2 - 1)
        start = time.perf_counter()
        for _ in range(steps):
            env.step(torch.rand(num_envs, 4) * 2 - 1)
        elapsed = time.perf_counter() - start
        env.close()
    return {"num_envs": num_envs, "steps": steps, "seconds": elapsed, "env_steps_per_s": num_envs * steps / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num_envs", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print("RESULT " + json.dumps(measure(args.child, args.steps)))
        return
    rows = []
    for n in args.num_envs:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        cmd = [sys.executable, __file__, "--child", str(n), "--steps", str(args.steps)]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
        rows.append(json.loads(out.split("RESULT ")[1].splitlines()[0]))
        print(f"{n:5d} envs: {rows[-1]['env_steps_per_s']:9.0f} env-steps/s")
    at_1024 = next((r["env_steps_per_s"] for r in rows if r["num_envs"] == 1024), None)
    result = {
        "benchmark": "quadcopter_speed",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "device": "cpu",
        "results": rows,
        "target_env_steps_per_s_at_1024": TARGET,
        "meets_target": None if at_1024 is None else at_1024 >= TARGET,
    }
    os.makedirs(os.path.dirname(RESULT), exist_ok=True)
    with open(RESULT, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
