"""Quadcopter-Point-Ctrl: a Crazyflie-class quadrotor with randomized dynamics flies to a target point and holds.

The ``policy`` group is what a flight controller senses; ``critic`` and ``teacher`` add the true dynamics
parameters, the wind and the motor state. The PPO teacher's actor reads ``teacher``; the student reads ``policy``.
"""

from __future__ import annotations

import math

from isaaclab.assets import RigidObjectCfg
from isaaclab.managers import EventTermCfg as EventTerm
from isaaclab.managers import ObservationGroupCfg as ObsGroup
from isaaclab.managers import ObservationTermCfg as ObsTerm
from isaaclab.managers import RewardTermCfg as RewTerm
from isaaclab.managers import SceneEntityCfg
from isaaclab.managers import TerminationTermCfg as DoneTerm
from isaaclab.scene import InteractiveSceneCfg
from isaaclab.utils import configclass
from isaaclab.utils.noise import UniformNoiseCfg as Unoise
from isaaclab.visualizers import VisualizerCfg

from distill_lab.assets import quadrotor
from distill_lab.assets.quadrotor import CRAZYFLIE_CFG

from ..base import LIGHT, DistillLabEnvCfg, RobustnessSweepCfg, Sim2SimCfg, SpecialistCfg, ground_box, newton_mjwarp
from . import mdp

PRIVILEGED_TERMS = (
    "mass",
    "inertia",
    "thrust_to_weight",
    "motor_time_constant",
    "torque_coefficient",
    "disturbance_force",
    "rotor_speed",
)
"""Observation terms that a real flight controller does not sense; the student's ``policy`` group has none."""

VEHICLE = ("mass_scale", "inertia_scale", "thrust_to_weight", "motor_time_constant", "torque_coefficient")
"""The ``dynamics`` event's parameters that make one vehicle (a specialist teacher's)."""


@configclass
class QuadcopterSceneCfg(InteractiveSceneCfg):
    """A local ground box, the quadrotor and a light."""

    ground = ground_box(color=(0.35, 0.35, 0.35))
    """The local ground box."""

    robot: RigidObjectCfg = CRAZYFLIE_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")
    """The quadrotor."""

    light = LIGHT
    """Sun-like light."""


@configclass
class CommandsCfg:
    """The target point."""

    target = mdp.TargetPointCommandCfg(asset_name="robot", resampling_time_range=(1.0e9, 1.0e9), debug_vis=True)
    """One target per episode, drawn as a sphere when a visualizer is on."""


@configclass
class ActionsCfg:
    """Four normalized motor commands."""

    motors = mdp.QuadrotorMotorActionCfg(asset_name="robot")
    """Motor model and X mixer applied every physics step."""


@configclass
class ObservationsCfg:
    """Observation groups: ``policy`` (deployable), ``critic`` and ``teacher`` (privileged)."""

    @configclass
    class PolicyCfg(ObsGroup):
        """What the flight controller senses (state estimate and its own last command), with noise."""

        target_pos_error = ObsTerm(
            func=mdp.target_pos_error, params={"command_name": "target"}, noise=Unoise(n_min=-0.01, n_max=0.01)
        )
        """Target minus position, world frame [m]."""
        rotation_matrix = ObsTerm(func=mdp.rotation_matrix, noise=Unoise(n_min=-0.01, n_max=0.01))
        """Attitude as a flattened rotation matrix."""
        lin_vel = ObsTerm(func=mdp.root_lin_vel_w, noise=Unoise(n_min=-0.02, n_max=0.02))
        """Linear velocity, world frame [m/s]."""
        ang_vel = ObsTerm(func=mdp.base_ang_vel, noise=Unoise(n_min=-0.05, n_max=0.05))
        """Gyro: body angular velocity [rad/s]."""
        last_action = ObsTerm(func=mdp.last_action)
        """The previous motor commands."""

        def __post_init__(self):
            self.enable_corruption = True
            self.concatenate_terms = True

    @configclass
    class PrivilegedCfg(PolicyCfg):
        """The policy terms plus the true dynamics parameters, wind and motor state (not sensed on hardware)."""

        mass = ObsTerm(func=mdp.mass_ratio)
        """Mass over nominal."""
        inertia = ObsTerm(func=mdp.inertia_ratio)
        """Principal inertia over nominal."""
        thrust_to_weight = ObsTerm(func=mdp.thrust_to_weight, params={"action_name": "motors"})
        """Thrust-to-weight ratio."""
        motor_time_constant = ObsTerm(func=mdp.motor_time_constant, params={"action_name": "motors"})
        """Motor time constant over nominal."""
        torque_coefficient = ObsTerm(func=mdp.torque_coefficient, params={"action_name": "motors"})
        """Rotor torque coefficient over nominal."""
        disturbance_force = ObsTerm(func=mdp.disturbance_force, params={"action_name": "motors"})
        """Wind force over nominal weight, world frame."""
        rotor_speed = ObsTerm(func=mdp.rotor_speed, params={"action_name": "motors"})
        """Normalized rotor speeds (motor lag state)."""

        def __post_init__(self):
            self.enable_corruption = False
            self.concatenate_terms = True

    policy: PolicyCfg = PolicyCfg()
    """The student's (deployable) observations."""
    critic: PrivilegedCfg = PrivilegedCfg()
    """The value function's observations."""
    teacher: PrivilegedCfg = PrivilegedCfg()
    """The PPO teacher actor's observations: the policy terms plus the critic's privileged terms."""


@configclass
class EventCfg:
    """Reset: randomized dynamics, then a random pose and velocity near the target."""

    dynamics = EventTerm(
        func=mdp.randomize_quadrotor_dynamics,
        mode="reset",
        params={
            "action_name": "motors",
            "mass_scale": (0.8, 1.2),
            "inertia_scale": (0.8, 1.2),
            "thrust_to_weight": (1.6, 2.4),
            "motor_time_constant": (0.02, 0.06),
            "torque_coefficient": (0.7, 1.3),
            "disturbance_force": (-0.15, 0.15),
        },
    )
    """Per-env dynamics: mass x[0.8, 1.2], inertia x[0.8, 1.2] per axis, thrust-to-weight [1.6, 2.4],
    motor time constant [0.02, 0.06] s, torque coefficient x[0.7, 1.3], wind up to 15% of the weight per axis."""

    reset_pose = EventTerm(
        func=mdp.reset_root_state_uniform,
        mode="reset",
        params={
            "asset_cfg": SceneEntityCfg("robot"),
            "pose_range": {
                "x": (-1.0, 1.0),
                "y": (-1.0, 1.0),
                "z": (-0.5, 0.5),
                "roll": (-0.5, 0.5),
                "pitch": (-0.5, 0.5),
                "yaw": (-math.pi, math.pi),
            },
            "velocity_range": {
                "x": (-0.5, 0.5),
                "y": (-0.5, 0.5),
                "z": (-0.5, 0.5),
                "roll": (-1.0, 1.0),
                "pitch": (-1.0, 1.0),
                "yaw": (-1.0, 1.0),
            },
        },
    )
    """Start within 1 m (xy) and 0.5 m (z) of (0, 0, 1) above the env origin, tilted up to 0.5 rad, moving."""


@configclass
class RewardsCfg:
    """Fly to the target and hold there calmly."""

    alive = RewTerm(func=mdp.is_alive, weight=1.0)
    """Staying in the air beats crashing."""
    distance = RewTerm(func=mdp.target_distance, weight=-0.3, params={"command_name": "target"})
    """Distance shaping [m]."""
    proximity = RewTerm(func=mdp.target_proximity, weight=2.0, params={"command_name": "target", "std": 0.2})
    """Bonus for being close: exp(-d^2 / 0.2^2)."""
    lin_vel = RewTerm(func=mdp.lin_vel_l2, weight=-0.05)
    """Linear velocity penalty."""
    ang_vel = RewTerm(func=mdp.ang_vel_l2, weight=-0.01)
    """Angular velocity penalty."""
    action_rate = RewTerm(func=mdp.action_rate_l2, weight=-0.01)
    """Action rate penalty."""
    terminated = RewTerm(func=mdp.is_terminated, weight=-10.0)
    """Crash, fly-away or flip penalty."""


@configclass
class TerminationsCfg:
    """Time-out, ground contact, out of bounds, flip."""

    time_out = DoneTerm(func=mdp.time_out, time_out=True)
    """Episode length reached."""
    ground_contact = DoneTerm(func=mdp.ground_contact, params={"min_height": 0.05})
    """Touched the ground."""
    out_of_bounds = DoneTerm(func=mdp.far_from_target, params={"command_name": "target", "max_distance": 3.0})
    """More than 3 m from the target."""
    flipped = DoneTerm(func=mdp.flipped)
    """Upside down."""


@configclass
class QuadcopterEnvCfg(DistillLabEnvCfg):
    """Quadcopter-Point-Ctrl environment: 100 Hz physics, 50 Hz control, 10 s episodes, Newton MuJoCo-Warp."""

    scene: QuadcopterSceneCfg = QuadcopterSceneCfg(num_envs=1024, env_spacing=4.0)
    """Scene with 1024 envs 4 m apart."""
    observations: ObservationsCfg = ObservationsCfg()
    actions: ActionsCfg = ActionsCfg()
    commands: CommandsCfg = CommandsCfg()
    events: EventCfg = EventCfg()
    rewards: RewardsCfg = RewardsCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    privileged_terms: tuple[str, ...] = PRIVILEGED_TERMS
    robustness_sweep: RobustnessSweepCfg = RobustnessSweepCfg(
        label="mass [x nominal]",
        event="dynamics",
        params=("mass_scale",),
        values=(0.6, 0.8, 1.0, 1.2, 1.4),
        training_range=(0.8, 1.2),
    )
    """``evaluate.py --sweep``: the vehicle's mass pinned from 0.6x to 1.4x nominal (trained on 0.8x-1.2x)."""
    specialist: SpecialistCfg = SpecialistCfg(event="dynamics", params=VEHICLE)
    """A specialist teacher flies one vehicle: mass, inertia, thrust-to-weight, motor lag and torque coefficient
    pinned (the wind stays random)."""

    sim2sim: Sim2SimCfg = Sim2SimCfg(
        mjcf="distill_lab.assets.quadrotor:mjcf_path",
        nominal_events={
            "dynamics": {
                "mass_scale": (1.0, 1.0),
                "inertia_scale": (1.0, 1.0),
                "thrust_to_weight": (quadrotor.CRAZYFLIE_THRUST_TO_WEIGHT,) * 2,
                "motor_time_constant": (quadrotor.CRAZYFLIE_MOTOR_TIME_CONSTANT,) * 2,
                "torque_coefficient": (1.0, 1.0),
                "disturbance_force": (0.0, 0.0),
            }
        },
    )
    """The MuJoCo twin (``python -m distill_lab.assets.quadrotor``) and the nominal vehicle without wind."""

    def __post_init__(self):
        self.decimation = 2
        self.episode_length_s = 10.0
        self.sim.dt = 0.01
        self.sim.render_interval = self.decimation
        self.sim.device = "cpu"
        self.sim.physics = newton_mjwarp(njmax=16, nconmax=8)
        # close enough that a followed vehicle shows its frame and rotors
        self.sim.default_visualizer_cfg = VisualizerCfg(eye=(1.2, 1.2, 1.6), lookat=(0.0, 0.0, 1.0))
