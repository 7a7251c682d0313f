"""Checkpoints: find one in the run folders, load it safely, say what it holds, check it fits a model.

Runs live in ``logs/rsl_rl/<experiment>/<run>/model_N.pt`` (relative to the working directory), each run folder with
a ``manifest.json`` (written by :mod:`distill_lab.runners.checkpointing`). :func:`checkpoint_kind` is the one place
that says what a checkpoint holds; every command decides with it.
"""

from __future__ import annotations

import os
import re

import torch

from .errors import DistillLabError
from .files import load_torch_file, read_json

LOG_ROOT = os.path.join("logs", "rsl_rl")
"""Where runs live, relative to the working directory."""

MANIFEST = "manifest.json"
"""A run folder's manifest: the latest and best checkpoint and the metrics of every saved one."""

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The installed ``distill_lab`` package; nothing is ever written inside it."""

CHECKPOINT_KINDS = {
    "ppo": "a PPO policy ('actor_state_dict'): a teacher, or a fine-tuned student",
    "ppd": "a PPD student ('actor_state_dict' with its 'teacher_state_dict')",
    "distillation": "a distilled student ('student_state_dict' with its 'teacher_state_dict')",
}
"""What :func:`checkpoint_kind` returns, and what each means."""


def experiment_root(experiment: str) -> str:
    """The absolute folder of an experiment's runs."""
    return os.path.abspath(os.path.join(LOG_ROOT, experiment))


def find_checkpoint(experiments: list[str], load_run: str = ".*", checkpoint: str = "model_.*.pt") -> str:
    """The last checkpoint matching ``checkpoint`` (``model_50.pt`` before ``model_100.pt``) of the newest run matching
    ``load_run`` that has one, in the first of ``experiments`` with such a run. Both are regular expressions (a plain
    name matches itself), as in Isaac Lab's ``get_checkpoint_path``."""
    searched = []
    for experiment in dict.fromkeys(experiments):
        root = experiment_root(experiment)
        if not os.path.isdir(root):
            searched.append(f"{root} (does not exist)")
            continue
        runs = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and re.fullmatch(load_run, d))
        if not runs:
            searched.append(f"{root} (runs: {', '.join(sorted(os.listdir(root))) or 'none'})")
            continue
        for run in reversed(runs):  # the newest run that has one (a run just started, e.g. by another rank, has none)
            files = [f for f in os.listdir(os.path.join(root, run)) if re.fullmatch(checkpoint, f)]
            if files:
                return os.path.join(root, run, max(files, key=lambda f: (len(f), f)))
        found = sorted(f for f in os.listdir(os.path.join(root, runs[-1])) if f.endswith(".pt"))
        raise DistillLabError(
            f"no checkpoint matching '{checkpoint}' in the runs matching '{load_run}' in {root}; the newest, "
            f"{runs[-1]}, has {found or 'none'}."
        )
    raise DistillLabError(f"no run matching '{load_run}'. Searched: {'; '.join(searched)}.")


def load_checkpoint(path: str) -> dict:
    """Load a checkpoint safely (``weights_only=True``) with clear errors for missing, empty or corrupt files."""
    path, ckpt = load_torch_file(path)
    if not isinstance(ckpt, dict):
        raise DistillLabError(f"checkpoint {path} holds a {type(ckpt).__name__}, expected a dict of state dicts.")
    return ckpt


def checkpoint_kind(ckpt: dict, path: str) -> str:
    """What a checkpoint holds: a key of :data:`CHECKPOINT_KINDS`; a clear error for anything else."""
    if "student_state_dict" in ckpt:
        return "distillation"
    if "actor_state_dict" in ckpt:
        return "ppd" if "teacher_state_dict" in ckpt else "ppo"
    if "model_state_dict" in ckpt:
        raise DistillLabError(
            f"{path} is an rsl-rl 3.x checkpoint ('model_state_dict'); rsl-rl 5 needs 'actor_state_dict'. "
            "Retrain it with this version."
        )
    raise DistillLabError(
        f"{path} is not an RSL-RL checkpoint: expected 'actor_state_dict' (PPO) or 'student_state_dict' "
        f"(distillation), found keys {sorted(ckpt)}."
    )


def teacher_state_dict(ckpt: dict, path: str) -> dict:
    """The weights a new student learns from: the policy the checkpoint trained (a PPO actor, or a distilled, PPD or
    fine-tuned student: progressive distillation)."""
    return ckpt["student_state_dict"] if checkpoint_kind(ckpt, path) == "distillation" else ckpt["actor_state_dict"]


def check_state_dict(model: torch.nn.Module, state: dict, what: str) -> None:
    """Raise a clear error naming the first layer whose shape (or presence) differs between ``model`` and ``state``."""
    own = model.state_dict()
    for name, tensor in own.items():
        if name not in state:
            raise DistillLabError(
                f"{what} lacks layer '{name}' (shape {tuple(tensor.shape)}) that the model cfg expects."
            )
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise DistillLabError(
                f"{what} does not match the model cfg at layer '{name}': checkpoint shape "
                f"{tuple(state[name].shape)}, model cfg shape {tuple(tensor.shape)}."
            )
    extra = sorted(set(state) - set(own))
    if extra:
        raise DistillLabError(f"{what} has layers the model cfg lacks: {', '.join(extra[:5])}.")


def read_manifest(run_dir: str) -> dict:
    """A run folder's manifest (``latest``, ``best``, ``checkpoints``); a clear error before the first save."""
    return read_json(os.path.join(run_dir, MANIFEST), f"manifest of run {run_dir} (written at its first checkpoint)")


def latest_checkpoint(run_dir: str) -> str | None:
    """The newest checkpoint a run's manifest lists (``None`` before the first save)."""
    if not os.path.exists(os.path.join(run_dir, MANIFEST)):
        return None
    return os.path.join(run_dir, read_manifest(run_dir)["latest"]["checkpoint"])


def output_folder(checkpoint: str, experiment: str) -> str:
    """Where files made from a checkpoint go (exports, videos): its run folder, unless the checkpoint ships inside the
    package or its folder is read-only; then ``logs/rsl_rl/<experiment>/pretrained_<name>/``."""
    folder = os.path.dirname(os.path.abspath(checkpoint))
    shipped = os.path.commonpath([folder, PACKAGE_DIR]) == PACKAGE_DIR
    if not shipped and os.access(folder, os.W_OK):
        return folder
    name = os.path.splitext(os.path.basename(checkpoint))[0]
    return os.path.join(experiment_root(experiment), f"pretrained_{name}")
