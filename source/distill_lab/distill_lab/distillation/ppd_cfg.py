"""Config of :class:`~distill_lab.distillation.ppd.PPD`: every knob with its unit, default and trade-off."""

from __future__ import annotations

from typing import Literal

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlPpoAlgorithmCfg


@configclass
class PPDAlgorithmCfg(RslRlPpoAlgorithmCfg):
    """Proximal Policy Distillation: PPO on the student plus ``kl_coef * KL(student || teacher)``.

    The student (the PPO ``actor``) learns from the env's reward and is pulled toward the frozen teacher's action
    distribution on the states it visits itself. All PPO fields keep their meaning; RND and symmetry are not supported.
    Use ``schedule="fixed"``: PPO's adaptive learning rate reads the teacher's pull on the student as a too-large
    policy step and drops the rate to its 1e-5 floor (measured on Quadcopter-Point-Ctrl: 0.16 of the teacher's return
    after 60 iterations with it, 0.94 without).
    """

    class_name: str = "distill_lab.distillation.ppd:PPD"
    """The algorithm class."""

    kl_coef: float = 1.0
    """Weight lambda of ``KL(student || teacher)`` [loss units per nat] at the first iteration. Larger: closer
    imitation, less reward-driven improvement over the teacher. Default 1."""

    kl_coef_schedule: Literal["constant", "linear"] = "constant"
    """``constant``: lambda stays :attr:`kl_coef`; ``linear``: lambda goes from :attr:`kl_coef` to
    :attr:`kl_coef_final` over :attr:`kl_decay_iterations` (imitate first, then let the reward take over).
    Default ``constant``."""

    kl_coef_final: float = 0.0
    """Lambda after a ``linear`` schedule [loss units per nat]. Default 0."""

    kl_decay_iterations: int = 100
    """Learning iterations over which a ``linear`` lambda reaches :attr:`kl_coef_final`. Default 100."""
