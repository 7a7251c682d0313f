"""Benchmark: env-steps/s of a task (all managers, random actions) and of its bare scene (physics only), on CPU Newton.

    python bench/env_speed.py --task Quadcopter-Point-Ctrl [--num_envs 64 256 1024] [--steps 200]
    python bench/env_speed.py --task blind_rl
Writes bench/results/env_speed_<task>.json. ``ratio`` = env rate / bare-scene rate (the managers' overhead); the bare
scene is the same scene config stepped with ``decimation`` physics steps per env step and no managers.
Targets: Quadcopter-Point-Ctrl >= 10k env-steps/s at 1024 envs; blind_rl ratio >= 0.7.
Each measurement runs in its own process (one simulation per process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

RESULTS = os.path.join(os.path.dirname(__file__), "results")


def measure(task: str, num_envs: int, steps: int, bare: bool) -> float:
    """Env-steps/s of one configuration (run in a child process)."""
    import gymnasium as gym
    import torch

    import distill_lab  # noqa: F401
    from distill_lab.utils import resolve_configs, simulation

    torch.set_num_threads(1)
    env_cfg, _ = resolve_configs(task, None, [f"env.scene.num_envs={num_envs}"])
    if bare:
        from isaaclab.scene import InteractiveScene
        from isaaclab.sim import build_simulation_context

        env_cfg.sim.device = "cpu"
        with simulation(env_cfg, "cpu"), build_simulation_context(sim_cfg=env_cfg.sim) as sim:
            scene = InteractiveScene(env_cfg.scene)
            sim.reset()

            def step():
                for _ in range(env_cfg.decimation):
                    scene.write_data_to_sim()
                    sim.step(render=False)
                    scene.update(dt=env_cfg.sim.dt)

            for _ in range(20):
                step()
            start = time.perf_counter()
            for _ in range(steps):
                step()
            return num_envs * steps / (time.perf_counter() - start)
    with simulation(env_cfg, "cpu"):
        env = gym.make(task, cfg=env_cfg)
        env.reset()
        num_actions = env.unwrapped.action_manager.total_action_dim
        for _ in range(20):
            env.step(torch.rand(num_envs, num_actions) * 2 - 1)
        start = time.perf_counter()
        for _ in range(steps):
            env.step(torch.rand(num_envs, num_actions) * 2 - 1)
        rate = num_envs * steps / (time.perf_counter() - start)
        env.close()
        return rate


def child(task: str, num_envs: int, steps: int, bare: bool) -> float:
    cmd = [sys.executable, __file__, "--task", task, "--steps", str(steps), "--child", str(num_envs)]
    cmd += ["--bare"] if bare else []
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}, check=True)
    return float(out.stdout.split("RATE ")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--num_envs", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(f"RATE {measure(args.task, args.child, args.steps, args.bare)}")
        return
    rows = []
    for n in args.num_envs:
        env_rate, bare_rate = child(args.task, n, args.steps, False), child(args.task, n, args.steps, True)
        rows.append({"num_envs": n, "env_steps_per_s": env_rate, "bare_scene_steps_per_s": bare_rate})
        rows[-1]["ratio"] = env_rate / bare_rate
        print(f"{n:5d} envs: env {env_rate:8.0f}/s, bare scene {bare_rate:8.0f}/s, ratio {env_rate / bare_rate:.2f}")
    result = {
        "benchmark": "env_speed",
        "task": args.task,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, one Warp thread",
        "device": "cpu",
        "steps": args.steps,
        "results": rows,
    }
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"env_speed_{args.task}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
