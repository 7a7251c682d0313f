"""Go1-Velocity-Flat: the real Unitree Go1 on Isaac Lab's velocity MDP, registered as an Isaac Lab user registers a
task; Go1-Velocity-Flat-Distill: the same task with distill_lab's method ladder, its student blind to base velocity."""

import gymnasium as gym

from ...ladder import register_ladder

gym.register(
    id="Go1-Velocity-Flat",
    entry_point="isaaclab.envs:ManagerBasedRLEnv",
    disable_env_checker=True,
    kwargs={
        "env_cfg_entry_point": f"{__name__}.flat_env_cfg:UnitreeGo1FlatEnvCfg",
        "rsl_rl_cfg_entry_point": f"{__name__}.agents:UnitreeGo1FlatPPORunnerCfg",
        "default_agent": "rsl_rl",
    },
)

register_ladder("Go1-Velocity-Flat", privileged_terms=["base_lin_vel"])
