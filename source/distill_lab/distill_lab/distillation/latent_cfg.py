"""Model configs of latent matching (:mod:`distill_lab.distillation.latent`): the encoder teacher and the estimator
student, as RSL-RL model cfgs with their extra fields."""

from __future__ import annotations

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg, RslRlRNNModelCfg


@configclass
class LatentMLPModelCfg(RslRlMLPModelCfg):
    """A teacher actor whose privileged terms pass through an encoder into a small latent."""

    class_name: str = "distill_lab.distillation.latent:LatentMLPModel"
    """The model class."""

    encoding_dim: int = 8
    """Numbers the privileged terms are encoded into (what the student must estimate). Default 8."""

    encoder_dims: list[int] = [64, 32]
    """Hidden layers of the encoder. Default [64, 32]."""

    policy_group: str = "policy"
    """The obs group whose terms open the teacher's group and bypass the encoder. Default ``policy``."""


@configclass
class LatentRNNModelCfg(RslRlRNNModelCfg):
    """A recurrent student with an estimator of the teacher's encoding before its head."""

    class_name: str = "distill_lab.distillation.latent:LatentRNNModel"
    """The model class."""

    encoding_dim: int = 8
    """Numbers the estimator outputs; equal to the teacher's ``encoding_dim``. Default 8."""

    estimator_dims: list[int] = []
    """Hidden layers of the estimator (none: one linear layer from the memory). Default []."""
