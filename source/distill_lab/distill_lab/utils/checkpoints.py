"""Checkpoint lookup and validation: find a run's ``model_N.pt``, check a teacher fits its model cfg."""

from __future__ import annotations

import os
import re

import torch

from .errors import DistillLabError

LOG_ROOT = os.path.join("logs", "rsl_rl")
"""Where runs live, relative to the working directory: ``logs/rsl_rl/<experiment>/<run>/model_N.pt``."""


def find_checkpoint(experiment: str, load_run: str = ".*", checkpoint: str = "model_.*.pt") -> str:
    """The checkpoint in ``logs/rsl_rl/<experiment>``: newest run matching ``load_run``, last matching ``checkpoint``.

    Both are regular expressions (a plain name matches itself), as in Isaac Lab's ``get_checkpoint_path``.
    """
    root = os.path.abspath(os.path.join(LOG_ROOT, experiment))
    if not os.path.isdir(root):
        raise DistillLabError(f"no runs of experiment '{experiment}': folder {root} does not exist.")
    runs = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and re.fullmatch(load_run, d))
    if not runs:
        raise DistillLabError(
            f"no run matching '{load_run}' in {root}. Runs there: {', '.join(sorted(os.listdir(root)))}."
        )
    run_dir = os.path.join(root, runs[-1])
    files = [f for f in os.listdir(run_dir) if re.fullmatch(checkpoint, f)]
    if not files:
        found = sorted(f for f in os.listdir(run_dir) if f.endswith(".pt"))
        raise DistillLabError(
            f"no checkpoint matching '{checkpoint}' in {run_dir}. Checkpoints there: {found or 'none'}."
        )
    files.sort(key=lambda f: (len(f), f))  # model_50.pt before model_100.pt
    return os.path.join(run_dir, files[-1])


def load_torch_file(path: str, what: str = "checkpoint", hint: str = "") -> tuple[str, object]:
    """``(absolute path, content)`` of a ``torch.save`` file loaded safely (``weights_only=True``); clear errors for
    a missing (``hint`` says how to make one), empty or corrupt file. ``what`` names the file in the messages."""
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.isfile(path):
        raise DistillLabError(f"{what} not found: {path}{hint}.")
    if os.path.getsize(path) == 0:
        raise DistillLabError(f"{what} is empty (0 bytes): {path}.")
    try:
        return path, torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a corrupt or foreign file
        raise DistillLabError(f"{what} {path} cannot be read ({type(err).__name__}: {err}).") from None


def load_checkpoint(path: str) -> dict:
    """Load a checkpoint safely (``weights_only=True``) with clear errors for missing, empty or corrupt files."""
    path, ckpt = load_torch_file(path)
    if not isinstance(ckpt, dict):
        raise DistillLabError(f"checkpoint {path} holds a {type(ckpt).__name__}, expected a dict of state dicts.")
    return ckpt


def teacher_state_dict(ckpt: dict, path: str) -> dict:
    """The teacher weights in a PPO (``actor_state_dict``) or distillation (``teacher_state_dict``) checkpoint."""
    for key in ("actor_state_dict", "teacher_state_dict"):
        if key in ckpt:
            return ckpt[key]
    if "model_state_dict" in ckpt:
        raise DistillLabError(
            f"{path} is an rsl-rl 3.x checkpoint ('model_state_dict'); rsl-rl 5 needs 'actor_state_dict'. "
            "Retrain the teacher with this version."
        )
    raise DistillLabError(f"{path} has no teacher weights: expected 'actor_state_dict', found keys {sorted(ckpt)}.")


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
