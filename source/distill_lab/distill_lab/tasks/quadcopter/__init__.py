"""Quadcopter-Point-Ctrl: fly a Crazyflie-class quadrotor with randomized dynamics to a point and hold there."""

import gymnasium as gym

from . import agents

gym.register(
    id="Quadcopter-Point-Ctrl",
    entry_point="isaaclab.envs:ManagerBasedRLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.quadcopter_env_cfg:QuadcopterEnvCfg",
        **agents.ENTRY_POINTS,
        "default_agent": "rsl_rl",
    },
)
