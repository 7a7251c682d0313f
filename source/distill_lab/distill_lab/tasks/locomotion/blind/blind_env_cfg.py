"""blind_rl: a Go1-class quadruped tracks velocity commands; its student is blind to base velocity and height.

The ``policy`` group is what a real quadruped senses (IMU and joint encoders). ``critic`` and ``teacher`` add the
true base linear velocity, base height, foot contact states, foot friction and base mass (and, on rough terrain, a
height scan). The default is flat ground on the embedded Newton backend; ``presets=rough`` switches to gentle rough
terrain from Isaac Lab's terrain generator, ``presets=go1`` to the real Unitree Go1 (MuJoCo Menagerie's model, built
locally: :mod:`distill_lab.assets.go1`), ``presets=anymal_d`` to Isaac Lab's ANYmal-D (its asset server).
"""

from __future__ import annotations

import math

from isaaclab.assets import ArticulationCfg
from isaaclab.managers import EventTermCfg as EventTerm
from isaaclab.managers import ObservationGroupCfg as ObsGroup
from isaaclab.managers import ObservationTermCfg as ObsTerm
from isaaclab.managers import RewardTermCfg as RewTerm
from isaaclab.managers import SceneEntityCfg
from isaaclab.managers import TerminationTermCfg as DoneTerm
from isaaclab.scene import InteractiveSceneCfg
from isaaclab.sensors import ContactSensorCfg
from isaaclab.utils import configclass
from isaaclab.utils.noise import UniformNoiseCfg as Unoise
from isaaclab.visualizers import VisualizerCfg
from isaaclab_assets.robots.anymal import ANYMAL_D_CFG
from isaaclab_tasks.utils import PresetCfg, preset

from distill_lab.assets.go1 import UNITREE_GO1_MENAGERIE_CFG
from distill_lab.assets.quadruped import QUADRUPED_CFG

from ...base import LIGHT, DistillLabEnvCfg, RobustnessSweepCfg
from . import mdp
from .terrain import GroundCfg, HeightScannerCfg, PhysicsCfg

PRIVILEGED_TERMS = ("base_lin_vel", "base_height", "foot_contact", "foot_friction", "base_mass", "height_scan")
"""Observation terms a real quadruped does not sense; the student's ``policy`` group has none of them."""

FOOT_FRICTION_RANGE = (0.4, 1.2)
"""Range of the feet's friction coefficient, sampled per foot at start-up."""


def per_robot(local, go1, anymal_d):
    """One value per robot preset: the local robot (default), ``presets=go1``, ``presets=anymal_d``."""
    return preset(default=local, go1=go1, anymal_d=anymal_d)


FOOT_NAMES = (".*_calf", ".*_calf", ".*_FOOT")
"""Foot body regex of the local robot and the Go1 (their foot spheres belong to the calves) and ANYmal-D."""


def feet(entity: str):
    """The foot bodies of ``entity`` ("robot" or the "contact_forces" sensor), per robot preset."""
    return per_robot(*(SceneEntityCfg(entity, body_names=name) for name in FOOT_NAMES))


@configclass
class HeightScanObsCfg(PresetCfg):
    """The height-scan observation term: present only with the rough-terrain height scanner."""

    default = None
    rough = ObsTerm(func=mdp.height_scan, params={"sensor_cfg": SceneEntityCfg("height_scanner")}, clip=(-1.0, 1.0))


@configclass
class RobotCfg(PresetCfg):
    """The local Go1-class robot (default), the real Unitree Go1 (Menagerie), or ANYmal-D where Isaac Lab's asset
    server is reachable."""

    default: ArticulationCfg = QUADRUPED_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")
    go1: ArticulationCfg = UNITREE_GO1_MENAGERIE_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")
    anymal_d: ArticulationCfg = ANYMAL_D_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")


@configclass
class BlindSceneCfg(InteractiveSceneCfg):
    """Ground, the quadruped, foot contact sensing and (rough only) a height scanner."""

    terrain = GroundCfg()
    """Flat box ground, or the terrain generator's gentle rough terrain."""
    robot = RobotCfg()
    """The quadruped."""
    contact_forces = per_robot(
        *(
            ContactSensorCfg(prim_path="{ENV_REGEX_NS}/Robot/" + n, history_length=3, track_air_time=True)
            for n in FOOT_NAMES
        )
    )
    """Contact forces on the feet (for air-time rewards and the teacher's contact states)."""
    height_scanner = HeightScannerCfg()
    """Height scan (rough terrain only)."""
    light = LIGHT
    """Sun-like light."""


@configclass
class CommandsCfg:
    """Velocity commands (lin x, lin y, yaw rate)."""

    base_velocity = mdp.UniformVelocityCommandCfg(
        asset_name="robot",
        resampling_time_range=(10.0, 10.0),
        rel_standing_envs=0.05,
        rel_heading_envs=0.0,
        heading_command=False,
        debug_vis=True,
        ranges=mdp.UniformVelocityCommandCfg.Ranges(
            lin_vel_x=(-1.0, 1.0), lin_vel_y=(-0.5, 0.5), ang_vel_z=(-1.0, 1.0)
        ),
    )
    """Uniform commands, resampled every 10 s; 5% of the envs stand."""


@configclass
class ActionsCfg:
    """Joint position targets around the standing pose."""

    joint_pos = mdp.JointPositionActionCfg(asset_name="robot", joint_names=[".*"], scale=0.25, use_default_offset=True)
    """12 joint targets = standing pose + 0.25 * action [rad]."""


@configclass
class ObservationsCfg:
    """Observation groups: ``policy`` (blind, deployable), ``critic`` and ``teacher`` (privileged)."""

    @configclass
    class PolicyCfg(ObsGroup):
        """IMU and joint encoders only, with noise: no base linear velocity, height, contacts or terrain."""

        base_ang_vel = ObsTerm(func=mdp.base_ang_vel, noise=Unoise(n_min=-0.2, n_max=0.2))
        """Gyro [rad/s]."""
        projected_gravity = ObsTerm(func=mdp.projected_gravity, noise=Unoise(n_min=-0.05, n_max=0.05))
        """Gravity direction in the base frame (from the IMU)."""
        velocity_commands = ObsTerm(func=mdp.generated_commands, params={"command_name": "base_velocity"})
        """The velocity command."""
        joint_pos = ObsTerm(func=mdp.joint_pos_rel, noise=Unoise(n_min=-0.01, n_max=0.01))
        """Joint positions relative to the standing pose [rad]."""
        joint_vel = ObsTerm(func=mdp.joint_vel_rel, noise=Unoise(n_min=-1.5, n_max=1.5))
        """Joint velocities [rad/s]."""
        last_action = ObsTerm(func=mdp.last_action)
        """The previous action."""

        def __post_init__(self):
            self.enable_corruption = True
            self.concatenate_terms = True

    @configclass
    class PrivilegedCfg(PolicyCfg):
        """The policy terms plus the privileged truth (no noise)."""

        base_lin_vel = ObsTerm(func=mdp.base_lin_vel)
        """True base linear velocity in the base frame [m/s]."""
        base_height = ObsTerm(func=mdp.base_height)
        """True base height above the env origin [m]."""
        foot_contact = ObsTerm(func=mdp.foot_contact, params={"sensor_cfg": feet("contact_forces")})
        """Foot contact states (4)."""
        foot_friction = ObsTerm(func=mdp.foot_friction, params={"asset_cfg": feet("robot")})
        """Friction coefficient of each foot (4)."""
        base_mass = ObsTerm(func=mdp.base_mass)
        """True base (trunk) mass [kg], randomized at start-up."""
        height_scan = HeightScanObsCfg()
        """Height scan around the base (rough terrain only)."""

        def __post_init__(self):
            self.enable_corruption = False
            self.concatenate_terms = True

    policy: PolicyCfg = PolicyCfg()
    """The blind student's observations."""
    critic: PrivilegedCfg = PrivilegedCfg()
    """The value function's observations."""
    teacher: PrivilegedCfg = PrivilegedCfg()
    """The PPO teacher actor's observations: the policy terms plus the critic's privileged terms."""


@configclass
class EventCfg:
    """Start-up randomization (foot friction, base mass), resets and pushes."""

    foot_friction = EventTerm(
        func=mdp.randomize_rigid_body_material,
        mode="startup",
        params={
            "asset_cfg": feet("robot"),
            "static_friction_range": FOOT_FRICTION_RANGE,
            "dynamic_friction_range": FOOT_FRICTION_RANGE,
            "restitution_range": (0.0, 0.0),
            "num_buckets": 64,
        },
    )
    """Foot friction in [0.4, 1.2], per foot and env."""
    add_base_mass = EventTerm(
        func=mdp.randomize_rigid_body_mass,
        mode="startup",
        params={
            "asset_cfg": per_robot(*(SceneEntityCfg("robot", body_names=b) for b in ("trunk", "trunk", "base"))),
            "mass_distribution_params": (-1.0, 2.0),
            "operation": "add",
        },
    )
    """Payload: -1 to +2 kg on the trunk."""
    reset_base = EventTerm(
        func=mdp.reset_root_state_uniform,
        mode="reset",
        params={
            "pose_range": {"x": (-0.5, 0.5), "y": (-0.5, 0.5), "yaw": (-math.pi, math.pi)},
            "velocity_range": {
                "x": (-0.5, 0.5),
                "y": (-0.5, 0.5),
                "z": (-0.2, 0.2),
                "roll": (-0.3, 0.3),
                "pitch": (-0.3, 0.3),
                "yaw": (-0.5, 0.5),
            },
        },
    )
    """Random position, heading and velocity at reset."""
    reset_robot_joints = EventTerm(
        func=mdp.reset_joints_by_scale,
        mode="reset",
        params={"position_range": (0.8, 1.2), "velocity_range": (0.0, 0.0)},
    )
    """Joint positions at 80-120% of the standing pose."""
    push_robot = EventTerm(
        func=mdp.push_by_setting_velocity,
        mode="interval",
        interval_range_s=(10.0, 15.0),
        params={"velocity_range": {"x": (-0.5, 0.5), "y": (-0.5, 0.5)}},
    )
    """A push (base velocity change up to 0.5 m/s) every 10-15 s."""


@configclass
class RewardsCfg:
    """Velocity tracking plus the usual locomotion regularizers."""

    track_lin_vel_xy_exp = RewTerm(
        func=mdp.track_lin_vel_xy_exp, weight=1.5, params={"command_name": "base_velocity", "std": math.sqrt(0.25)}
    )
    """Track the commanded planar velocity."""
    track_ang_vel_z_exp = RewTerm(
        func=mdp.track_ang_vel_z_exp, weight=0.75, params={"command_name": "base_velocity", "std": math.sqrt(0.25)}
    )
    """Track the commanded yaw rate."""
    lin_vel_z_l2 = RewTerm(func=mdp.lin_vel_z_l2, weight=-2.0)
    """Penalize vertical base velocity."""
    ang_vel_xy_l2 = RewTerm(func=mdp.ang_vel_xy_l2, weight=-0.05)
    """Penalize roll and pitch rates."""
    flat_orientation_l2 = RewTerm(func=mdp.flat_orientation_l2, weight=-2.5)
    """Keep the base level."""
    base_height_l2 = RewTerm(
        func=mdp.base_height_l2, weight=-20.0, params={"target_height": per_robot(0.30, 0.30, 0.50)}
    )
    """Do not crouch (target 0.30 m above the env origin on flat ground)."""
    dof_torques_l2 = RewTerm(func=mdp.joint_torques_l2, weight=-2.0e-4)
    """Penalize joint torques."""
    dof_acc_l2 = RewTerm(func=mdp.joint_acc_l2, weight=-2.5e-7)
    """Penalize joint accelerations."""
    action_rate_l2 = RewTerm(func=mdp.action_rate_l2, weight=-0.01)
    """Penalize action changes."""
    feet_air_time = RewTerm(
        func=mdp.feet_air_time,
        weight=0.25,
        params={"sensor_cfg": feet("contact_forces"), "command_name": "base_velocity", "threshold": 0.4},
    )
    """Reward long steps (air time over 0.4 s) while moving."""
    dof_pos_limits = RewTerm(func=mdp.joint_pos_limits, weight=-1.0)
    """Stay away from the joint limits."""


@configclass
class TerminationsCfg:
    """Time-out, or a fall (base too low or tilted past 60 degrees)."""

    time_out = DoneTerm(func=mdp.time_out, time_out=True)
    """Episode length reached."""
    base_too_low = DoneTerm(func=mdp.root_height_below_minimum, params={"minimum_height": 0.15})
    """The trunk is below 0.15 m (fallen)."""
    bad_orientation = DoneTerm(func=mdp.bad_orientation, params={"limit_angle": math.pi / 3})
    """The trunk is tilted more than 60 degrees."""


@configclass
class BlindEnvCfg(DistillLabEnvCfg):
    """blind_rl: 200 Hz physics, 50 Hz control, 20 s episodes, Newton MuJoCo-Warp on flat ground by default."""

    scene: BlindSceneCfg = BlindSceneCfg(num_envs=1024, env_spacing=2.5)
    """Scene with 1024 envs 2.5 m apart."""
    observations: ObservationsCfg = ObservationsCfg()
    actions: ActionsCfg = ActionsCfg()
    commands: CommandsCfg = CommandsCfg()
    events: EventCfg = EventCfg()
    rewards: RewardsCfg = RewardsCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    privileged_terms: tuple[str, ...] = PRIVILEGED_TERMS
    robustness_sweep: RobustnessSweepCfg = RobustnessSweepCfg(
        label="foot-ground friction",
        event="foot_friction",
        params=("static_friction_range", "dynamic_friction_range"),
        values=(0.25, 0.4, 0.8, 1.2, 1.6),
        training_range=FOOT_FRICTION_RANGE,
    )
    """``evaluate.py --sweep``: foot friction pinned from 0.25 to 1.6 (trained on 0.4-1.2). MuJoCo-Warp uses the larger
    coefficient of a contact pair and the ground's is 0.2, so the foot's is the contact's friction."""

    def __post_init__(self):
        self.decimation = 4
        self.episode_length_s = 20.0
        self.sim.dt = 0.005
        self.sim.render_interval = self.decimation
        self.sim.device = "cpu"
        self.sim.physics = PhysicsCfg()
        self.scene.contact_forces.update_period = self.sim.dt
        self.sim.default_visualizer_cfg = VisualizerCfg(eye=(2.5, 2.5, 1.5), lookat=(0.0, 0.0, 0.3))

    def play_mode(self):
        """Play settings: those of every task (16 envs, no noise), and no pushes."""
        super().play_mode()
        self.events.push_robot = None
