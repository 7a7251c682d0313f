"""Quadcopter-Point-Ctrl: fly a Crazyflie-class quadrotor with randomized dynamics to a point and hold there."""

import gymnasium as gym

from . import agents

gym.register(
    id="Quadcopter-Point-Ctrl",
    entry_point="isaaclab.envs:ManagerBasedRLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.quadcopter_env_cfg:QuadcopterEnvCfg",
        "play_env_cfg_entry_point": f"{__name__}.quadcopter_env_cfg:QuadcopterEnvCfg_PLAY",
        "rsl_rl_cfg_entry_point": f"{agents.__name__}.rsl_rl_ppo_cfg:QuadcopterPPORunnerCfg",
        "rsl_rl_distillation_cfg_entry_point": (
            f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterDistillationRunnerCfg"
        ),
        "rsl_rl_distillation_mlp_cfg_entry_point": (
            f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterMlpDistillationRunnerCfg"
        ),
        "rsl_rl_dagger_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterDAggerRunnerCfg",
        "rsl_rl_dagger_mlp_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterMlpDAggerRunnerCfg",
        "rsl_rl_dagger_tiny_cfg_entry_point": (
            f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterTinyDAggerRunnerCfg"
        ),
        "rsl_rl_bc_cfg_entry_point": f"{agents.__name__}.rsl_rl_distillation_cfg:QuadcopterOfflineBCRunnerCfg",
        "rsl_rl_ppd_cfg_entry_point": f"{agents.__name__}.rsl_rl_ppd_cfg:QuadcopterPPDRunnerCfg",
        "rsl_rl_finetune_cfg_entry_point": f"{agents.__name__}.rsl_rl_finetune_cfg:QuadcopterFinetuneRunnerCfg",
        "default_agent": "rsl_rl",
    },
)
