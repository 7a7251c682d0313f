"""Go1-Velocity-Flat: the real Unitree Go1 on Isaac Lab's velocity MDP, registered as an Isaac Lab user registers a
task; Go1-Velocity-Flat-Distill: the same task with distill_lab's method ladder, its student blind to base velocity."""

import gymnasium as gym

from ...base import RobustnessSweepCfg
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

BASE_MASS_SWEEP = RobustnessSweepCfg(
    label="base mass [x nominal]",
    event="add_base_mass",
    params=("mass_distribution_params",),
    values=(0.6, 0.8, 1.0, 1.25, 1.5),
    training_range=(0.8, 1.25),
)
"""``evaluate.py --sweep``: the trunk's mass scaled from 0.6 to 1.5 (Isaac Lab's event trains on 0.8-1.25)."""

register_ladder("Go1-Velocity-Flat", privileged_terms=["base_lin_vel"], robustness_sweep=BASE_MASS_SWEEP)
