"""blind_rl: a Go1-class quadruped tracks velocity commands; its recurrent student is blind to velocity and height."""

import gymnasium as gym

from . import agents

gym.register(
    id="blind_rl",
    entry_point="isaaclab.envs:ManagerBasedRLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.blind_env_cfg:BlindEnvCfg",
        **agents.ENTRY_POINTS,
        "default_agent": "rsl_rl",
    },
)
