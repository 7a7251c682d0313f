"""Behaviour-cloning losses between a student's and a teacher's (diagonal Gaussian) action distributions.

Each returns one value per sample (the action dimensions are summed or averaged as noted), so callers can weight
samples (e.g. importance weights) before averaging.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LOSSES = ("mse", "huber", "kl", "nll")
"""Supported ``loss_type`` values."""

NEEDS_STD = ("kl", "nll")
"""Losses that use the student's action std (so the student needs a ``distribution_cfg``)."""


def behavior_loss(
    loss_type: str,
    student_mean: torch.Tensor,
    teacher_mean: torch.Tensor,
    student_std: torch.Tensor | None = None,
    teacher_std: torch.Tensor | None = None,
) -> torch.Tensor:
    """Per-sample loss, shape ``student_mean.shape[:-1]``.

    * ``mse``: mean over action dims of ``(mu_s - mu_t)^2``;
    * ``huber``: mean over action dims of the Huber loss (delta 1);
    * ``kl``: ``KL(teacher || student)`` of diagonal Gaussians, summed over action dims;
    * ``nll``: negative log-likelihood of the teacher's mean action under the student's Gaussian, summed.
    """
    if loss_type == "mse":
        return (student_mean - teacher_mean).square().mean(-1)
    if loss_type == "huber":
        return F.huber_loss(student_mean, teacher_mean, reduction="none").mean(-1)
    if loss_type not in NEEDS_STD:
        raise ValueError(f"unknown loss_type '{loss_type}': expected one of {LOSSES}")
    if student_std is None:
        raise ValueError(
            f"loss_type '{loss_type}' needs the student's action std (give the student a distribution_cfg)"
        )
    var_s = student_std.square()
    if loss_type == "nll":
        return (
            0.5 * (teacher_mean - student_mean).square() / var_s + student_std.log() + 0.5 * math.log(2 * math.pi)
        ).sum(-1)
    if teacher_std is None:
        raise ValueError("loss_type 'kl' needs the teacher's action std (the teacher needs a distribution)")
    var_t = teacher_std.square()
    kl = (student_std / teacher_std).log() + (var_t + (teacher_mean - student_mean).square()) / (2 * var_s) - 0.5
    return kl.sum(-1)
