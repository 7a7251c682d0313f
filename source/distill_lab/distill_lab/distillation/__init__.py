"""Distillation beyond stock RSL-RL: DAgger (forcing, aggregation, losses), offline BC, PPD, and runner fixes."""

from .dagger_cfg import DAGGER_DEFAULTS, DAggerAlgorithmCfg  # noqa: F401
from .offline_cfg import OFFLINE_BC_DEFAULTS, OfflineBCAlgorithmCfg, ReplayScheduleCfg  # noqa: F401
from .ppd_cfg import PPDAlgorithmCfg  # noqa: F401
from .runners import DistillLabDistillationRunner, DistillLabOnPolicyRunner  # noqa: F401
