"""Shipped pretrained policies: ``<experiment>/teacher.pt`` (RSL-RL PPO format) and ``teacher.json`` (how it was made),
and for some tasks a distilled ``<experiment>/student.pt`` with its ``student.json``.

Distill from a teacher with ``train.py --task <task> --agent <distillation entry point> --teacher_checkpoint
pretrained``; play a shipped student with ``play.py --task <task> --agent <its entry point> --checkpoint pretrained``.
``<experiment>/specialists/teachers.json`` lists shipped specialist teachers (``rsl_rl_multi_teacher_cfg_entry_point``).
"""

from __future__ import annotations

import os

from distill_lab.io import DistillLabError

PRETRAINED_DIR = os.path.dirname(os.path.abspath(__file__))
"""Folder of the shipped teachers, one subfolder per PPO experiment name."""


def pretrained_teacher(task: str, agent: str = "rsl_rl_cfg_entry_point", role: str = "teacher") -> str:
    """Path of the policy shipped for ``task`` and entry point ``agent`` (found by its experiment name): the PPO
    teacher (``rsl_rl_latent_teacher_cfg_entry_point`` for the latent teacher), or with ``role="student"`` the
    distilled student of a student entry point; a clear error when none is shipped."""
    from isaaclab_tasks.utils import load_cfg_from_registry

    experiment = load_cfg_from_registry(task, agent).experiment_name
    path = os.path.join(PRETRAINED_DIR, experiment, f"{role}.pt")
    if not os.path.isfile(path):
        shipped = sorted(
            f"{d}/{f}" for d in os.listdir(PRETRAINED_DIR) if os.path.isdir(os.path.join(PRETRAINED_DIR, d))
            for f in ("teacher.pt", "student.pt") if os.path.isfile(os.path.join(PRETRAINED_DIR, d, f))
        )  # fmt: skip
        raise DistillLabError(
            f"no pretrained {role} shipped for '{task}' (looked for {path}); shipped: {', '.join(shipped)}. "
            f"Train one with 'python scripts/rsl_rl/train.py --task {task} --agent {agent}'."
        )
    return path


def pretrained_teachers(task: str) -> str:
    """The shipped specialists' teachers manifest for ``task`` (``<experiment>/specialists/teachers.json``), else
    the task's shipped teacher."""
    manifest = os.path.join(os.path.dirname(pretrained_teacher(task)), "specialists", "teachers.json")
    return manifest if os.path.isfile(manifest) else pretrained_teacher(task)
