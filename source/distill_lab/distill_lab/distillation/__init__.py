"""Distillation beyond stock RSL-RL: DAgger with teacher forcing and aggregation, losses, and runner fixes."""

from .dagger_cfg import DAGGER_DEFAULTS, DAggerAlgorithmCfg  # noqa: F401
from .runners import DistillLabDistillationRunner, DistillLabOnPolicyRunner  # noqa: F401
