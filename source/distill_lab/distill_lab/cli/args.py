"""The command line every command shares: Isaac Lab's and RSL-RL's flags, Hydra overrides, and the checks between them.

* :func:`make_parser` adds the task / agent / scale / device flags, RSL-RL's run and checkpoint flags and Isaac Lab's
  launcher flags; :func:`parse` splits the rest into Hydra overrides (``env.*``, ``agent.*``, ``presets=...``) and
  refuses anything else, naming the closest known flags.
* :func:`apply_args` writes the flags into the env and agent cfgs at the keys :data:`FLAG_KEYS` names; a flag and an
  override that set the same key to different values is an error, not a silent winner.
* :func:`launcher_settings` turns the launcher flags into ``launch_simulation`` arguments; kit-less, each flag that
  has no effect says so in one line.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import sys
from collections.abc import Sequence

import torch

from distill_lab.io import DistillLabError

FLAG_KEYS: dict[str, tuple[str, ...]] = {
    "num_envs": ("env.scene.num_envs",),
    "seed": ("agent.seed", "env.seed"),
    "device": ("agent.device", "env.sim.device"),
    "max_iterations": ("agent.max_iterations",),
    "experiment_name": ("agent.experiment_name",),
    "run_name": ("agent.run_name",),
    "logger": ("agent.logger",),
    "load_run": ("agent.load_run",),
    "checkpoint": ("agent.load_checkpoint",),
    "resume": ("agent.resume",),
    "log_project_name": ("agent.wandb_project",),
}
"""Flag -> the cfg keys it sets (:func:`apply_args`); an override of one of them with another value conflicts with the
flag (:func:`check_overrides`)."""

LAUNCHER_FLAGS = ("headless", "enable_cameras", "livestream", "kit_args", "experience")
"""Isaac Lab's app-launcher flags: passed to Isaac Sim's Kit where it is installed, else reported as without effect."""


def make_parser(doc: str, agent_default: str = "rsl_rl_cfg_entry_point") -> argparse.ArgumentParser:
    """A parser with the flags every command shares (``doc``: the command's module docstring)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
    )
    parser.add_argument("--task", required=True, help="Gym ID of the task, e.g. Quadcopter-Point-Ctrl.")
    parser.add_argument("--agent", default=agent_default, help=f"Agent cfg entry point (default {agent_default}).")
    parser.add_argument("--num_envs", type=int, help="Number of parallel environments.")
    parser.add_argument("--seed", type=int, help="Seed of the environment and the learner.")
    parser.add_argument("--device", help="cpu or cuda:N (default: the agent cfg's device).")
    group = parser.add_argument_group("rsl_rl", "RSL-RL run and checkpoint flags (as in Isaac Lab).")
    group.add_argument("--experiment_name", help="Experiment folder under logs/rsl_rl/.")
    group.add_argument("--run_name", help="Suffix of the run folder name.")
    group.add_argument("--resume", action="store_true", help="Continue a run, or distill from the teacher run found.")
    group.add_argument("--load_run", help="Run folder (regex) to load; default: the newest.")
    group.add_argument("--checkpoint", help="Checkpoint file (regex) in that run, a path, or latest / best.")
    group.add_argument(
        "--teacher_checkpoint",
        nargs="+",
        help="Teacher to distill from: a path, or 'pretrained' "
        "(shipped); a multi-teacher run takes several paths or teachers manifests (.json).",
    )
    group.add_argument("--logger", choices=["tensorboard", "wandb"], help="Logger.")
    group.add_argument("--log_project_name", help="W&B project name.")
    launcher = parser.add_argument_group("launcher", "Isaac Lab's app-launcher flags (Kit, where Isaac Sim is).")
    launcher.add_argument("--headless", action="store_true", help="Run Kit without a window.")
    launcher.add_argument("--enable_cameras", action="store_true", help="Enable Kit's camera rendering.")
    launcher.add_argument("--livestream", type=int, choices=[0, 1, 2], help="Kit livestream mode.")
    launcher.add_argument("--kit_args", help="Arguments passed to Omniverse Kit.")
    launcher.add_argument("--experience", help="Kit experience file.")
    launcher.add_argument("--distributed", action="store_true", help="Multi-process training under torchrun.")
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """``(flags, Hydra overrides)``; an unknown flag or a stray word is an error naming the closest known flags."""
    from isaaclab.app.sim_launcher import fuse_kit_args  # "--kit_args --flag" as Isaac Lab's CLI takes it

    args, rest = parser.parse_known_args(fuse_kit_args(list(sys.argv[1:] if argv is None else argv)))
    known = [s for s in parser._option_string_actions if s.startswith("--")]  # argparse has no public accessor
    for token in rest:
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(close)}?" if close else " See --help."
            raise DistillLabError(f"unknown flag '{name}'.{hint}")
        if "=" not in token:
            raise DistillLabError(
                f"unexpected argument '{token}': after the flags come Hydra overrides key=value "
                "(env.scene.num_envs=64, agent.max_iterations=10, presets=rough)."
            )
    if hasattr(args, "teacher_checkpoint"):  # all of them in ``teachers``; the first (the only one, mostly) as is
        given = args.teacher_checkpoint or []
        args.teachers = [t for t in given if "=" not in t or os.path.exists(t)]
        rest = [t for t in given if t not in args.teachers] + rest  # Hydra overrides the list took
        args.teacher_checkpoint = args.teachers[0] if args.teachers else None
    return args, rest


def check_overrides(args: argparse.Namespace, overrides: Sequence[str]) -> None:
    """Refuse a flag and an override that set the same cfg key to different values."""
    given = {o.split("=", 1)[0].lstrip("+~"): o.split("=", 1)[1] for o in overrides}
    for flag, value in _flags(args):
        for key in FLAG_KEYS[flag]:
            if key in given and given[key].lower() != str(value).lower():
                raise DistillLabError(
                    f"--{flag} {value} and the override '{key}={given[key]}' set {key} to different values; "
                    "give one of them."
                )


def _flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    """The flags of :data:`FLAG_KEYS` the command line gave (a command may lack some), with their values."""
    return [(f, v) for f in FLAG_KEYS if (v := vars(args).get(f)) is not None and v is not False]


def check_device(device: str) -> str:
    """Return ``device`` if this machine has it, else raise a clear error."""
    index = device.partition(":")[2] or "0"
    if device == "cpu" or (device.startswith("cuda") and index.isdigit() and int(index) < torch.cuda.device_count()):
        return device
    if device.startswith("cuda"):
        found = f"{torch.cuda.device_count()} GPU(s)" if torch.cuda.is_available() else "CUDA is not available"
        raise DistillLabError(f"device '{device}' requested but {found} here; use --device cpu.")
    raise DistillLabError(f"unknown device '{device}': expected cpu or cuda:N.")


def apply_args(env_cfg, agent_cfg, args: argparse.Namespace) -> None:
    """Write the flags into the env and agent cfgs (after :func:`check_overrides`), and check the device."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if args.distributed != (world_size > 1):
        raise DistillLabError(
            "--distributed runs under torchrun: 'torchrun --nproc_per_node=N scripts/rsl_rl/train.py ... --distributed'"
            f" (found --distributed {'given' if args.distributed else 'missing'}, WORLD_SIZE={world_size})."
        )
    if args.num_envs is not None and args.num_envs <= 0:
        raise DistillLabError(f"--num_envs must be a positive integer, got {args.num_envs}.")
    cfgs = {"env": env_cfg, "agent": agent_cfg}
    for flag, value in _flags(args):
        for key in FLAG_KEYS[flag]:
            *path, name = key.split(".")
            target = cfgs[path[0]]
            for part in path[1:]:
                target = getattr(target, part)
            setattr(target, name, value)
    agent_cfg.device = env_cfg.sim.device = check_device(agent_cfg.device)
    if args.distributed:  # each rank its own seed; on GPUs its own device, as RSL-RL requires
        agent_cfg.seed += int(os.environ.get("RANK", "0"))
        if agent_cfg.device.startswith("cuda"):
            agent_cfg.device = env_cfg.sim.device = check_device(f"cuda:{os.environ.get('LOCAL_RANK', '0')}")
    env_cfg.seed = agent_cfg.seed
    if agent_cfg.logger == "wandb" and "WANDB_MODE" not in os.environ and "WANDB_API_KEY" not in os.environ:
        os.environ["WANDB_MODE"] = "offline"  # no credentials (or no network): log locally, sync later
        print("[INFO] W&B: no WANDB_API_KEY, logging offline (wandb sync <run> uploads it later).")


def launcher_settings(args: argparse.Namespace | None, device: str) -> dict:
    """``launch_simulation`` arguments. Kit starts only where Isaac Sim is installed and a cfg needs it (PhysX, Kit
    cameras); kit-less, each launcher flag given has no effect, and says so."""
    settings = {"device": device, "headless": True}
    kit = importlib.util.find_spec("isaacsim") is not None
    for name in LAUNCHER_FLAGS:
        value = getattr(args, name, None)
        if value in (None, False):
            continue
        if kit:
            settings[name] = value
        else:
            print(f"[INFO] --{name}: no effect here (Isaac Sim is not installed; Isaac Lab runs kit-less on Newton).")
    return settings
