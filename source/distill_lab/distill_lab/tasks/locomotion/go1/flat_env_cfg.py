"""The real Unitree Go1 (MuJoCo Menagerie) on Isaac Lab's own velocity-tracking MDP, on flat ground.

Written the way Isaac Lab's robot configs are (``isaaclab_tasks.core.velocity.config.go2``): a short subclass of
``LocomotionVelocityRoughEnvCfg`` that sets the robot, its body names and action scale, and go2's flat-ground reward
weights. Isaac Lab's observations, commands, events, rewards and terminations are otherwise unchanged. What kit-less
Newton on the CPU needs changes too: MuJoCo-Warp with MuJoCo's contacts for the Go1's primitive collision shapes, and a
local ground and light (Isaac Lab's ground plane, terrain material and sky texture are on its asset server).
Its policy group reads ``base_lin_vel``, which a real Go1 does not sense: ``__init__`` registers the ladder that
splits it off for the student.
"""

from __future__ import annotations

from isaaclab.utils import configclass
from isaaclab_tasks.core.velocity.velocity_env_cfg import LocomotionVelocityRoughEnvCfg

from distill_lab.assets.go1 import (
    BASE_BODY_NAME,
    FOOT_BODY_NAMES,
    GO1_ACTION_SCALE,
    GO1_IMPRATIO,
    GO1_NCONMAX,
    GO1_NJMAX,
    UNITREE_GO1_MENAGERIE_CFG,
)

from ...base import LIGHT, Sim2SimCfg, ground_plane, newton_mjwarp

GROUND_FRICTION = 1.0
"""Friction of the ground, as Isaac Lab's terrain importer's (static and dynamic 1.0)."""


@configclass
class UnitreeGo1FlatEnvCfg(LocomotionVelocityRoughEnvCfg):
    """Unitree Go1 (Menagerie) tracking velocity commands on flat ground."""

    sim2sim: Sim2SimCfg = Sim2SimCfg(
        mjcf="distill_lab.assets.go1:mjcf_path", nominal_events={"add_base_mass": None, "base_com": None}
    )
    """Menagerie's go1.xml (from the build of ``python -m distill_lab.assets.go1``), the trunk's mass and centre of
    mass as in the MJCF."""

    def __post_init__(self):
        super().__post_init__()
        # physics: MuJoCo-Warp on the CPU, sized to the Go1 (at most 15 contacts in falls); impratio 10 as mjlab's
        self.sim.physics = newton_mjwarp(GO1_NJMAX, GO1_NCONMAX, use_mujoco_contacts=True, impratio=GO1_IMPRATIO)
        # scene: the robot, a local flat ground and light, contact sensing on every body, no height scan
        self.scene.robot = UNITREE_GO1_MENAGERIE_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")
        self.scene.terrain = ground_plane(GROUND_FRICTION)
        self.sim.physics_material = self.scene.terrain.physics_material
        self.scene.sky_light = LIGHT
        self.scene.height_scanner = None
        self.scene.contact_forces.prim_path = "{ENV_REGEX_NS}/Robot/.*"  # the USD nests each body in its parent
        self.observations.policy.height_scan = None
        # actions: mjlab's Go1 scale (a quarter of each joint's effort limit over its stiffness)
        self.actions.joint_pos.scale = GO1_ACTION_SCALE
        # events, rewards and terminations: the Go1's body names
        for term in (self.events.add_base_mass, self.events.base_com, self.events.base_external_force_torque):
            term.params["asset_cfg"].body_names = BASE_BODY_NAME
        self.terminations.base_contact.params["sensor_cfg"].body_names = BASE_BODY_NAME
        self.rewards.feet_air_time.params["sensor_cfg"].body_names = FOOT_BODY_NAMES
        # rewards: go2's flat-ground weights
        self.rewards.undesired_contacts = None
        self.rewards.feet_air_time.weight = 0.25
        self.rewards.dof_torques_l2.weight = -0.0002
        self.rewards.track_lin_vel_xy_exp.weight = 1.5
        self.rewards.track_ang_vel_z_exp.weight = 0.75
        self.rewards.action_rate_l2.weight = -0.005
        self.rewards.flat_orientation_l2.weight = -2.5
        # curriculum: no terrain levels on flat ground
        self.curriculum.terrain_levels = None
