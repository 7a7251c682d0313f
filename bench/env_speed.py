"""Benchmark: env-steps/s of a task (all managers, random actions) and of its bare scene (physics only), on CPU Newton.

    python bench/env_speed.py --task Quadcopter-Point-Ctrl [--num_envs 64 256 1024] [--steps 200]
    python bench/env_speed.py --task blind_rl
Writes bench/results/env_speed_<task>.json. ``ratio`` = env rate / bare-scene rate (the managers' overhead); the bare
scene is the same scene config stepped with ``decimation`` physics steps per env step and no managers.
Targets: Quadcopter-Point-Ctrl >= 10k env-steps/s at 1024 envs; blind_rl ratio >= 0.7.
Each measurement runs in its own process (one simulation per process) and hands its rate back in a JSON file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import write_result
from distill_lab.io import read_json, write_json


def measure(task: str, num_envs: int, steps: int, bare: bool) -> float:
    """Env-steps/s of one configuration (run in a child process)."""
    import gymnasium as gym
    import torch

    import distill_lab  # noqa: F401
    from distill_lab.cli.configs import resolve_configs
    from distill_lab.cli.session import simulation

    torch.set_num_threads(1)
    env_cfg, _ = resolve_configs(task, None, [f"env.scene.num_envs={num_envs}"])
    if bare:
        from isaaclab.scene import InteractiveScene
        from isaaclab.sim import build_simulation_context

        env_cfg.sim.device = "cpu"
        with simulation(env_cfg), build_simulation_context(sim_cfg=env_cfg.sim) as sim:
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
    with simulation(env_cfg):
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
    """Measure in a fresh process (one simulation per process); it writes its rate to a JSON file."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "rate.json")
        cmd = [sys.executable, __file__, "--task", task, "--steps", str(steps), "--child", str(num_envs), "--out", out]
        subprocess.run(cmd + (["--bare"] if bare else []), env={**os.environ, "OMP_NUM_THREADS": "1"}, check=True)
        return read_json(out)["env_steps_per_s"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--num_envs", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.child is not None:
        write_json(args.out, {"env_steps_per_s": measure(args.task, args.child, args.steps, args.bare)})
        return
    rows = []
    for n in args.num_envs:
        env_rate, bare_rate = child(args.task, n, args.steps, False), child(args.task, n, args.steps, True)
        rows.append(
            {
                "num_envs": n,
                "env_steps_per_s": env_rate,
                "bare_scene_steps_per_s": bare_rate,
                "ratio": env_rate / bare_rate,
            }
        )
        print(f"{n:5d} envs: env {env_rate:8.0f}/s, bare scene {bare_rate:8.0f}/s, ratio {env_rate / bare_rate:.2f}")
    write_result(
        f"env_speed_{args.task}",
        __file__,
        argv,
        {"task": args.task, "device": "cpu", "steps": args.steps, "results": rows},
    )


if __name__ == "__main__":
    main()
