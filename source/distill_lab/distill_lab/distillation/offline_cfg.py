"""Config of :class:`~distill_lab.distillation.offline.OfflineBC`: every knob with its unit, default and trade-off."""

from __future__ import annotations

from dataclasses import MISSING
from typing import Literal

from isaaclab.utils import configclass

from .dagger_cfg import DAggerAlgorithmCfg


@configclass
class ReplayScheduleCfg:
    """How a PER exponent (alpha or beta) changes over the offline iterations
    (see :func:`~distill_lab.distillation.replay.schedule_value`)."""

    kind: Literal["constant", "linear", "dynamic"] = "constant"
    """``constant``: always :attr:`start`; ``linear``: :attr:`start` to :attr:`end` over :attr:`iterations`;
    ``dynamic``: :attr:`start` to :attr:`end` as the behaviour loss falls (progress = 1 - loss / first loss), so it
    follows convergence instead of the clock. Default ``constant``."""

    start: float = MISSING
    """Value at the first offline iteration [exponent, >= 0]."""

    end: float = MISSING
    """Value at the end of the schedule [exponent, >= 0]; unused by ``constant``."""

    iterations: int = 100
    """Offline iterations over which ``linear`` goes from :attr:`start` to :attr:`end`. Default 100."""


@configclass
class OfflineBCAlgorithmCfg(DAggerAlgorithmCfg):
    """Behaviour cloning from a recorded teacher dataset, optionally followed by DAgger rounds in the env.

    The first :attr:`offline_iterations` iterations train on the dataset only (no env steps); each takes
    ``num_learning_epochs * num_mini_batches`` gradient steps of :attr:`batch_size` items. Then
    :attr:`dagger_rounds` iterations run the inherited DAgger (student acts, teacher labels, aggregation buffer);
    their beta schedule counts from the first round. ``max_iterations`` caps the whole run.
    """

    class_name: str = "distill_lab.distillation.offline:OfflineBC"
    """The algorithm class."""

    teacher_forcing_iterations: int = 0
    """DAgger rounds [learning iterations] in which the teacher acts; the offline iterations cloned it already.
    Default 0."""

    beta_decay_iterations: int = 0
    """DAgger rounds over which beta falls to ``final_beta``; 0 hands the envs to the student at once. Default 0."""

    dataset_path: str = ""
    """Dataset written by ``scripts/rsl_rl/collect.py`` (``train.py --dataset PATH`` sets it). Required for offline
    iterations; its obs groups must match the env's."""

    offline_iterations: int = 200
    """Iterations [learning iterations] of training on the dataset before any DAgger round. Default 200."""

    dagger_rounds: int = 0
    """DAgger iterations [learning iterations, each one rollout] after the offline ones; they need a teacher
    (``--teacher_checkpoint``, else the one the dataset's metadata names). 0 is pure offline BC; more corrects the
    student on its own state distribution (covariate shift) at the cost of env steps. Default 0."""

    batch_size: int = 256
    """Items per gradient step: transitions for a feed-forward student, sequences of :attr:`sequence_length` steps
    for a recurrent one. Larger: smoother gradients, slower steps. Default 256."""

    sequence_length: int = 24
    """Steps [env steps] of a recurrent student's training sequence (truncated BPTT length). Sequences start every
    ``sequence_length`` steps; an env's last steps that do not fill a whole window are not used. Default 24."""

    burn_in: int = 24
    """Steps [env steps] run before each recurrent sequence to build the student's memory, which a dataset cannot
    store (R2D2's burn-in). They get no loss unless the sequence starts at the dataset's start or an episode starts
    in them (then the memory is exact). More: better memory, slower steps. Default 24."""

    replay: Literal["uniform", "prioritized"] = "uniform"
    """``uniform``: every item equally often. ``prioritized``: items with a larger error more often
    (prioritized experience replay), with importance weights. Default ``uniform``."""

    priority_alpha: ReplayScheduleCfg = ReplayScheduleCfg(kind="constant", start=0.6, end=0.6)
    """PER exponent alpha: ``P(i) = p_i^alpha / sum p^alpha``; 0 is uniform, 1 fully proportional to the error.
    Default constant 0.6 (Schaul et al.)."""

    priority_beta: ReplayScheduleCfg = ReplayScheduleCfg(kind="linear", start=0.4, end=1.0, iterations=200)
    """PER importance exponent beta: ``w_i = (N P(i))^-beta / max w``; 1 removes the sampling bias fully. Default
    linear 0.4 -> 1 over 200 offline iterations (Schaul et al.)."""

    priority_eps: float = 1.0e-3
    """Added to each item's error [loss units] so that none has zero probability. Default 1e-3."""
