"""Play a trained teacher or student in the simulator, print its return and success, and export it.

Student:  python scripts/rsl_rl/play.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point
Teacher:  python scripts/rsl_rl/play.py --task Quadcopter-Point-Ctrl
The newest run of the agent's experiment is used unless --load_run / --checkpoint (a regex or a path) say otherwise.
The policy is exported to <run>/exported/policy.pt and policy.onnx and checked against the in-memory policy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import cli_args

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
cli_args.add_common_args(parser)
parser.add_argument("--num_steps", type=int, default=None, help="Steps to play (default: two episodes).")
parser.add_argument("--no_export", action="store_true", help="Do not export the policy.")
cli_args.add_rsl_rl_args(parser)
args_cli, hydra_args = parser.parse_known_args()
sys.argv = [sys.argv[0]] + hydra_args

import gymnasium as gym  # noqa: E402

import distill_lab  # noqa: E402, F401
from distill_lab.utils import (  # noqa: E402
    DistillLabError,
    hydra_task_config,
    is_distillation,
    load_checkpoint,
    make_runner,
    run_cli,
    simulation,
)
from distill_lab.utils.export import check_export_parity, export_policy  # noqa: E402
from distill_lab.utils.rollout import rollout  # noqa: E402


@hydra_task_config(args_cli.task, args_cli.agent, play=True)
def main(env_cfg, agent_cfg):

    from isaaclab_rl.rsl_rl import RslRlVecEnvWrapper

    cli_args.apply_args(env_cfg, agent_cfg, args_cli)
    path = cli_args.checkpoint_from_args(args_cli, agent_cfg.experiment_name)
    ckpt = load_checkpoint(path)
    if is_distillation(agent_cfg) and "student_state_dict" not in ckpt:
        raise DistillLabError(
            f"{path} holds no student (keys {sorted(ckpt)}); play a teacher with --agent rsl_rl_cfg_entry_point."
        )
    if not is_distillation(agent_cfg) and "actor_state_dict" not in ckpt:
        raise DistillLabError(
            f"{path} holds no PPO actor (keys {sorted(ckpt)}); play a student with "
            "--agent rsl_rl_distillation_cfg_entry_point."
        )
    print(f"[INFO] Loading checkpoint: {path}")

    with simulation(env_cfg, agent_cfg.device):
        env = RslRlVecEnvWrapper(gym.make(args_cli.task, cfg=env_cfg), clip_actions=agent_cfg.clip_actions)
        runner = make_runner(env, agent_cfg, log_dir=None)
        runner.load(path, map_location=agent_cfg.device)
        policy = runner.get_inference_policy(device=agent_cfg.device)
        num_steps = args_cli.num_steps or 2 * int(env.unwrapped.max_episode_length)
        result = rollout(env, policy, num_steps)
        summary = {"checkpoint": path, "num_envs": env.num_envs, "num_steps": num_steps, **result.as_dict()}
        print("[RESULT] " + json.dumps(summary))
        if not args_cli.no_export:
            export_dir = os.path.join(os.path.dirname(path), "exported")
            jit_path, onnx_path = export_policy(runner, export_dir, env)
            err = check_export_parity(jit_path, onnx_path, result.trace)
            print(f"[INFO] Exported {jit_path} and {onnx_path} (max action difference {err:.1e}).")
        env.close()


if __name__ == "__main__":
    run_cli(main)
