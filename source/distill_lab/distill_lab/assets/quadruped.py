"""Go1-class quadruped: nominal constants and an Isaac Lab articulation config for the project's local USD asset.

The robot is authored by :mod:`distill_lab.assets.build_quadruped_usd` into ``data/quadruped.usda`` next to this
module (12 kg, 12 revolute joints, collision only on the trunk box and the four foot spheres), so no asset server is
needed. It is driven by Isaac Lab's implicit PD actuator; on kit-less Newton (MuJoCo-Warp) on the CPU it stands at a
base height of about 0.32 m with the default joint targets below.
"""

from __future__ import annotations

from pathlib import Path

import isaaclab.sim as sim_utils
from isaaclab.actuators import ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg
from isaaclab_newton.sim.schemas import NewtonArticulationCfg

from distill_lab.assets.build_quadruped_usd import BODY_NAMES, EFFORT_LIMIT, JOINT_NAMES, TOTAL_MASS

QUADRUPED_USD_PATH = str(Path(__file__).resolve().parent / "data" / "quadruped.usda")
"""Path of the local USD file (regenerate it with ``python -m distill_lab.assets.build_quadruped_usd``)."""

QUADRUPED_MASS = TOTAL_MASS
"""Nominal total mass of the robot [kg] (12.0)."""

QUADRUPED_JOINT_NAMES = JOINT_NAMES
"""The 12 joint names in the order the articulation reports them (leg by leg: hip, thigh, calf; FL, FR, RL, RR)."""

QUADRUPED_BODY_NAMES = BODY_NAMES
"""The 13 body names: ``trunk``, then each leg's ``hip``, ``thigh`` and ``calf``."""

BASE_BODY_NAME = "trunk"
"""Name of the base (root) body."""

FOOT_BODY_NAMES = ".*_calf"
"""Regex of the bodies that carry the feet (each foot sphere is part of its calf body), e.g. for a contact sensor."""

FOOT_BODY_PRIM_PATH = "{ENV_REGEX_NS}/Robot/" + FOOT_BODY_NAMES
"""Prim-path regex of the foot bodies of a robot spawned at ``{ENV_REGEX_NS}/Robot`` (for ``ContactSensorCfg``)."""

QUADRUPED_EFFORT_LIMIT = EFFORT_LIMIT
"""Joint torque limit [N m] (Go1 motor peak torque)."""

QUADRUPED_STIFFNESS = 60.0
"""Joint PD stiffness [N m / rad]. Kp = 60, Kd = 2 stands; Kp = 25, Kd = 0.5 fell over on MuJoCo-Warp."""

QUADRUPED_DAMPING = 2.0
"""Joint PD damping [N m s / rad]."""

QUADRUPED_ARMATURE = {
    ".*_hip_joint": 0.004,
    ".*_thigh_joint": 0.004,
    ".*_calf_joint": 0.009,
}
"""Reflected rotor inertia per joint [kg m^2]: Go1 rotor inertia 1.12e-4 kg m^2 times gear ratio squared (6, 6, 9).

Needed for stability on Newton MuJoCo-Warp at 200 Hz: without it the robot stands but keeps bouncing at about 15 Hz
(3 mm, foot forces 60-155 N), and more damping makes it worse (the PD damping acts like an explicitly integrated damper
on the light calf, about 0.005 kg m^2 about the knee). With it the robot settles within 0.5 s.
"""

STANDING_BASE_HEIGHT = 0.34
"""Initial base height [m]; the feet then touch down within about 1 cm and the robot settles near 0.318 m."""

STANDING_JOINT_POS = {
    ".*_hip_joint": 0.0,
    ".*_thigh_joint": 0.8,
    ".*_calf_joint": -1.5,
}
"""Default (standing) joint positions [rad], by joint-name regex; they are also the default PD targets."""

QUADRUPED_CFG = ArticulationCfg(
    spawn=sim_utils.UsdFileCfg(
        usd_path=QUADRUPED_USD_PATH,
        activate_contact_sensors=True,
        articulation_props=[NewtonArticulationCfg(self_collision_enabled=False)],
    ),
    init_state=ArticulationCfg.InitialStateCfg(
        pos=(0.0, 0.0, STANDING_BASE_HEIGHT),
        joint_pos=STANDING_JOINT_POS,
        joint_vel={".*": 0.0},
    ),
    soft_joint_pos_limit_factor=0.9,
    actuators={
        "legs": ImplicitActuatorCfg(
            joint_names_expr=[".*"],
            stiffness=QUADRUPED_STIFFNESS,
            damping=QUADRUPED_DAMPING,
            armature=QUADRUPED_ARMATURE,
            effort_limit_sim=QUADRUPED_EFFORT_LIMIT,
        ),
    },
)
"""Go1-class quadruped from the local USD, implicit PD on all 12 joints, standing pose; set ``prim_path`` per scene.

The init state is applied by the environment's reset events (e.g. ``reset_joints_by_offset``), not at spawn: right after
``sim.reset()`` the joints are at the USD's zero pose.
"""
