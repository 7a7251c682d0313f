"""Evaluate checkpoints of one agent on identical seeds and initial states; print and save JSON metrics.

    python scripts/rsl_rl/evaluate.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point \
        --checkpoints logs/.../model_50.pt logs/.../model_100.pt --num_envs 256 --output results.json
Each checkpoint is played deterministically for --num_steps (default one episode) after the env is reset with --seed.
A student is compared with the teacher stored in its checkpoint along the student's own trajectory (action error).
Each result also holds env 0's tracking trace (position vs. target, or velocity vs. command) and, unless --no_profile,
the exported policy's parameter count, ONNX size and CPU latency per step at batch 1 and 1024.
--sweep evaluates again with the task's robustness parameter (``env.robustness_sweep``: quadcopter mass, foot
friction) pinned to each of its values, including values outside the training range.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import cli_args

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
cli_args.add_common_args(parser)
parser.add_argument("--checkpoints", nargs="+", required=True, help="Checkpoint files to evaluate.")
parser.add_argument("--num_steps", type=int, default=None, help="Steps per evaluation (default: one episode).")
parser.add_argument("--output", type=str, default=None, help="Write the results to this JSON file.")
parser.add_argument("--sweep", action="store_true", help="Also run the task's robustness sweep.")
parser.add_argument("--sweep_steps", type=int, default=None, help="Steps per sweep value (default: --num_steps).")
parser.add_argument("--no_profile", action="store_true", help="Skip parameter count, ONNX size and latency.")
args_cli, hydra_args = parser.parse_known_args()
sys.argv = [sys.argv[0]] + hydra_args

import gymnasium as gym  # noqa: E402

import distill_lab  # noqa: E402, F401
from distill_lab.utils import hydra_task_config, make_runner, run_cli, simulation  # noqa: E402
from distill_lab.utils.evaluation import apply_sweep_value, evaluate_checkpoint, profile_policy  # noqa: E402


@hydra_task_config(args_cli.task, args_cli.agent, play=True)
def main(env_cfg, agent_cfg):
    from isaaclab_rl.rsl_rl import RslRlVecEnvWrapper

    if args_cli.num_envs is None:
        args_cli.num_envs = 256
    cli_args.apply_args(env_cfg, agent_cfg, args_cli)
    seed = agent_cfg.seed
    results = []
    with simulation(env_cfg, agent_cfg.device):
        env = RslRlVecEnvWrapper(gym.make(args_cli.task, cfg=env_cfg), clip_actions=agent_cfg.clip_actions)
        runner = make_runner(env, agent_cfg, log_dir=None)
        num_steps = args_cli.num_steps or int(env.unwrapped.max_episode_length)
        for path in map(os.path.abspath, args_cli.checkpoints):
            result = evaluate_checkpoint(env, runner, path, num_steps, seed)
            row = {"checkpoint": path, "seed": seed, "num_envs": env.num_envs, **result.as_dict()}
            if not args_cli.no_profile:
                row["profile"] = profile_policy(runner, env)
            print("[RESULT] " + json.dumps(row), flush=True)
            row["trajectory"] = {k: v.tolist() for k, v in result.trace.items() if k not in ("obs", "actions", "dones")}
            results.append(row)
        if args_cli.sweep:
            sweep = env_cfg.robustness_sweep
            for row in results:
                row["sweep"] = {"label": sweep.label, "training_range": list(sweep.training_range), "points": []}
            sweep_steps = args_cli.sweep_steps or num_steps
            for value in sweep.values:
                apply_sweep_value(env, sweep, value)
                for row in results:
                    result = evaluate_checkpoint(env, runner, row["checkpoint"], sweep_steps, seed)
                    row["sweep"]["points"].append({"value": value, **result.as_dict()})
                    print(f"[SWEEP] {sweep.label}={value}: " + json.dumps(result.as_dict()), flush=True)
        env.close()
    if args_cli.output:
        os.makedirs(os.path.dirname(os.path.abspath(args_cli.output)), exist_ok=True)
        with open(args_cli.output, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    run_cli(main)
