"""Quadcopter-Point-Ctrl: fly a Crazyflie-class quadrotor with randomized dynamics to a point and hold there; also in
Isaac Lab's Direct workflow (``-Direct``) and as a one-agent multi-agent env (``-MARL``), with the same agents."""

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

gym.register(
    id="Quadcopter-Point-Ctrl-Direct",
    entry_point=f"{__name__}.direct:QuadcopterDirectEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.direct:QuadcopterDirectEnvCfg",
        **agents.ENTRY_POINTS,
        "default_agent": "rsl_rl",
    },
)

gym.register(
    id="Quadcopter-Point-Ctrl-MARL",
    entry_point=f"{__name__}.direct:QuadcopterMARLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.direct:QuadcopterMARLEnvCfg",
        **agents.MARL_ENTRY_POINTS,
        "default_agent": "rsl_rl",
    },
)
