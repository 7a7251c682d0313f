"""blind_rl: a Go1-class quadruped tracks velocity commands; its recurrent student is blind to velocity and height."""

import gymnasium as gym

from . import agents

gym.register(
    id="blind_rl",
    entry_point="isaaclab.envs:ManagerBasedRLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.blind_env_cfg:BlindEnvCfg",
        "play_env_cfg_entry_point": f"{__name__}.blind_env_cfg:BlindEnvCfg_PLAY",
        "rsl_rl_cfg_entry_point": f"{agents.__name__}.rsl_rl_ppo_cfg:BlindRlPPORunnerCfg",
        "rsl_rl_distillation_cfg_entry_point": (
            f"{agents.__name__}.rsl_rl_distillation_cfg:BlindRlDistillationRunnerCfg"
        ),
        "rsl_rl_distillation_mlp_cfg_entry_point": (
            f"{agents.__name__}.rsl_rl_distillation_cfg:BlindRlMlpDistillationRunnerCfg"
        ),
        "rsl_rl_dagger_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:BlindRlDAggerRunnerCfg",
        "rsl_rl_dagger_mlp_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:BlindRlMlpDAggerRunnerCfg",
        "rsl_rl_bc_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:BlindRlOfflineBCRunnerCfg",
        "rsl_rl_ppd_cfg_entry_point": f"{agents.__name__}.rsl_rl_ppd_cfg:BlindRlPPDRunnerCfg",
        "rsl_rl_finetune_cfg_entry_point": f"{agents.__name__}.rsl_rl_finetune_cfg:BlindRlFinetuneRunnerCfg",
        "default_agent": "rsl_rl",
    },
)
