"""Teacher-rollout datasets for offline behaviour cloning: one ``torch.save`` file, its layout, save, load and checks.

Written by ``scripts/rsl_rl/collect.py``, read by :class:`~distill_lab.distillation.offline.OfflineBC`. The file is a
dict of tensors, strings and numbers only, so it loads with ``torch.load(path, weights_only=True)``. Tensors are
time-major, as in RSL-RL's ``RolloutStorage``: ``S`` steps of ``N`` parallel envs.

========================  ==================  ==========================================================================
key                       shape / type        meaning
========================  ==================  ==========================================================================
``format``                str                 :data:`DATASET_FORMAT`
``obs``                   {group: (S, N, D)}  every observation group of the env (``policy``, ``teacher``, ``critic``,
                                              ...), as the policy saw it *before* step t
``actions``               (S, N, A)           the teacher's action at step t (its mean, deterministic): the label
``applied_actions``       (S, N, A)           the action sent to the env (``actions`` plus ``--action_noise``)
``rewards``               (S, N)              reward after step t
``dones``                 (S, N) bool         the episode ended at step t (terminated or timed out); ``obs[t + 1]`` is
                                              the first observation of the env's next episode
``time_outs``             (S, N) bool         the episode ended by its time limit (a subset of ``dones``)
``teacher_std``           (A,) or absent      the teacher's (state-independent) action std, for the ``kl`` loss
``meta``                  dict                ``task``, ``num_envs``, ``num_steps``, ``step_dt`` [s], ``seed``,
                                              ``obs_groups`` {group: {``terms``, ``term_dims``, ``dim``}},
                                              ``action_dim``, ``teacher_checkpoint``, ``commit``, ``created`` (UTC),
                                              ``action_noise``, ``overrides`` (Hydra arguments)
========================  ==================  ==========================================================================
"""

from __future__ import annotations

import os

import torch

from .errors import DistillLabError
from .files import load_torch_file, write_atomic

DATASET_FORMAT = "distill_lab.teacher_rollouts.v1"
"""Value of the ``format`` key; a loader refuses other values."""

REQUIRED_KEYS = ("format", "meta", "obs", "actions", "rewards", "dones")
"""Keys every dataset holds."""


def save_dataset(path: str, dataset: dict) -> None:
    """Write ``dataset`` atomically: to ``<path>.tmp``, then renamed, so a crash never leaves a half-written file."""
    path = os.path.abspath(os.path.expanduser(path))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomic(path, lambda tmp: torch.save({"format": DATASET_FORMAT, **dataset}, tmp))


def load_dataset(path: str) -> dict:
    """Load a dataset safely (``weights_only=True``); a clear error for a missing, empty, corrupt or foreign file."""
    if not path:
        raise DistillLabError(
            "offline BC needs a dataset: give --dataset PATH or agent.algorithm.dataset_path=PATH "
            "(record one with 'python scripts/rsl_rl/collect.py --task <task> --output PATH')."
        )
    path, data = load_torch_file(path, "dataset", " (record one with scripts/rsl_rl/collect.py)")
    if not isinstance(data, dict) or data.get("format") != DATASET_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise DistillLabError(
            f"{path} is not a distill_lab dataset: expected format '{DATASET_FORMAT}', found {found}."
        )
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise DistillLabError(f"dataset {path} lacks {', '.join(missing)}; it holds {', '.join(sorted(data))}.")
    return data


def check_dataset_fits(data: dict, groups: list[str], obs_dims: dict[str, int], action_dim: int, path: str) -> None:
    """Refuse a dataset whose ``groups`` or action size differ from the env's (``obs_dims``: group -> env dim)."""
    meta = data["meta"]
    source = f"dataset {path} (task '{meta.get('task')}')"
    for group in groups:
        if group not in data["obs"]:
            raise DistillLabError(
                f"{source} has no obs group '{group}' that the student reads; it has {', '.join(sorted(data['obs']))}."
            )
        found = data["obs"][group].shape[-1]
        if found != obs_dims[group]:
            terms = meta.get("obs_groups", {}).get(group, {}).get("terms", [])
            raise DistillLabError(
                f"{source} does not fit this env: obs group '{group}' expected {obs_dims[group]} dims (the env's), "
                f"found {found} (dataset terms: {', '.join(terms) or 'unknown'}). Record it again on this task."
            )
    found = data["actions"].shape[-1]
    if found != action_dim:
        raise DistillLabError(f"{source} does not fit this env: expected {action_dim} action dims, found {found}.")
