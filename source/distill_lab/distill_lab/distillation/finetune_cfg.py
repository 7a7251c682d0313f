"""Config of :class:`~distill_lab.distillation.finetune.FinetunePPO`: every knob, its unit, default and trade-off."""

from __future__ import annotations

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlPpoAlgorithmCfg


@configclass
class FinetuneAlgorithmCfg(RslRlPpoAlgorithmCfg):
    """PPO fine-tuning of a distilled student; every PPO field keeps its meaning."""

    class_name: str = "distill_lab.distillation.finetune:FinetunePPO"
    """The algorithm class."""

    critic_warmup_iterations: int = 20
    """Learning iterations in which only the critic learns (the student acts unchanged). More: better advantages when
    the actor starts moving; fewer: earlier improvement. Default 20."""
