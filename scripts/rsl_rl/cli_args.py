"""Command-line flags shared by train.py and play.py (RSL-RL and Isaac Lab conventions)."""

from __future__ import annotations

import argparse
import os

import torch

from distill_lab.utils import DistillLabError, find_checkpoint


def add_common_args(parser: argparse.ArgumentParser, agent_default: str = "rsl_rl_cfg_entry_point") -> None:
    """Task, agent, scale and device flags."""
    parser.add_argument("--task", type=str, required=True, help="Gym ID of the task, e.g. Quadcopter-Point-Ctrl.")
    parser.add_argument(
        "--agent",
        type=str,
        default=agent_default,
        help="Agent entry point: rsl_rl_cfg_entry_point (teacher) or rsl_rl_distillation_cfg_entry_point (student).",
    )
    parser.add_argument("--num_envs", type=int, default=None, help="Number of parallel environments.")
    parser.add_argument("--seed", type=int, default=None, help="Seed of the environment and the learner.")
    parser.add_argument("--device", type=str, default=None, help="cpu or cuda:N (default: the agent cfg's device).")
    parser.add_argument("--video", action="store_true", help="play.py: record an mp4 and a GIF (NewtonGL, Xvfb).")
    parser.add_argument("--video_length", type=int, default=200, help="Length of a recorded video in env steps.")


def add_rsl_rl_args(parser: argparse.ArgumentParser) -> None:
    """RSL-RL run, checkpoint and logger flags."""
    group = parser.add_argument_group("rsl_rl")
    group.add_argument("--experiment_name", type=str, default=None, help="Experiment folder under logs/rsl_rl/.")
    group.add_argument("--run_name", type=str, default=None, help="Suffix of the run folder name.")
    group.add_argument("--resume", action="store_true", help="Continue a run of this agent's experiment.")
    group.add_argument("--load_run", type=str, default=None, help="Run folder (regex) to load; default: the newest.")
    group.add_argument("--checkpoint", type=str, default=None, help="Checkpoint file (regex) in that run, or a path.")
    group.add_argument(
        "--teacher_checkpoint",
        type=str,
        default=None,
        help="Teacher checkpoint to distill from: a path, or 'pretrained' for the task's shipped teacher.",
    )
    group.add_argument("--logger", type=str, default=None, choices=["tensorboard", "wandb"], help="Logger.")
    group.add_argument("--log_project_name", type=str, default=None, help="W&B project name.")


def check_device(device: str) -> str:
    """Return ``device`` if this machine has it, else raise a clear error."""
    if device == "cpu":
        return device
    if device.startswith("cuda"):
        index = int(device.split(":")[1]) if ":" in device else 0
        if not torch.cuda.is_available():
            raise DistillLabError(f"device '{device}' requested but CUDA is not available here; use --device cpu.")
        if index >= torch.cuda.device_count():
            raise DistillLabError(f"device '{device}' requested but only {torch.cuda.device_count()} GPU(s) exist.")
        return device
    raise DistillLabError(f"unknown device '{device}': expected cpu or cuda:N.")


def apply_args(env_cfg, agent_cfg, args: argparse.Namespace, video_ok: bool = False) -> None:
    """Apply the flags to the env and agent cfgs (flags win over Hydra overrides).

    ``video_ok``: the script records ``--video`` itself (play.py); elsewhere the flag is refused with a pointer.
    """
    if getattr(args, "video", False) and not video_ok:
        raise DistillLabError(
            "--video is recorded by play.py: 'python scripts/rsl_rl/play.py --task <task> --video' "
            "(NewtonGL under Xvfb, written to <run>/videos/play/)."
        )
    if args.num_envs is not None:
        if args.num_envs <= 0:
            raise DistillLabError(f"--num_envs must be a positive integer, got {args.num_envs}.")
        env_cfg.scene.num_envs = args.num_envs
    if args.seed is not None:
        agent_cfg.seed = args.seed
    device = check_device(args.device or agent_cfg.device)
    agent_cfg.device = env_cfg.sim.device = device
    env_cfg.seed = agent_cfg.seed
    for name in ("experiment_name", "run_name", "logger"):
        if getattr(args, name, None) is not None:
            setattr(agent_cfg, name, getattr(args, name))
    if getattr(args, "max_iterations", None) is not None:
        agent_cfg.max_iterations = args.max_iterations
    if getattr(args, "log_project_name", None):
        agent_cfg.wandb_project = args.log_project_name
    if agent_cfg.logger == "wandb" and "WANDB_MODE" not in os.environ and "WANDB_API_KEY" not in os.environ:
        os.environ["WANDB_MODE"] = "offline"  # no credentials (or no network): log locally, sync later
        print("[INFO] W&B: no WANDB_API_KEY, logging offline (wandb sync <run> uploads it later).")


def checkpoint_from_args(args: argparse.Namespace, experiment: str) -> str:
    """``--checkpoint`` if it is a file, else the ``--load_run`` / ``--checkpoint`` regexes in ``experiment``."""
    if args.checkpoint and os.path.isfile(args.checkpoint):
        return os.path.abspath(args.checkpoint)
    return find_checkpoint(experiment, args.load_run or ".*", args.checkpoint or "model_.*.pt")
