"""Distillation algorithms beyond stock RSL-RL and their configs: DAgger (one teacher or many, with feature or
latent matching), offline BC, PPD and RL fine-tuning.

Each algorithm subclasses an RSL-RL one (``Distillation`` or ``PPO``) and is chosen by ``algorithm.class_name``, so
RSL-RL's runners (and Isaac Lab's CLI) build it; distill_lab's runners and commands use it through the interface
that :mod:`.interface` declares. The package itself imports only the configs (the registry needs them, not torch).
This layer imports only :mod:`distill_lab.io` and RSL-RL.
"""

from .dagger_cfg import (  # noqa: F401
    DAGGER_BEST,
    DAGGER_REPLAY,
    DAggerAlgorithmCfg,
    FeatureDAggerAlgorithmCfg,
    LatentDAggerAlgorithmCfg,
    MultiTeacherDAggerAlgorithmCfg,
)
from .finetune_cfg import FinetuneAlgorithmCfg  # noqa: F401
from .latent_cfg import LatentMLPModelCfg, LatentRNNModelCfg  # noqa: F401
from .offline_cfg import OfflineBCAlgorithmCfg, ReplayScheduleCfg  # noqa: F401
from .ppd_cfg import PPDAlgorithmCfg  # noqa: F401
