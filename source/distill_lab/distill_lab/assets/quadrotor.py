"""Crazyflie-class quadrotor: nominal physical constants and a local rigid-body asset config.

The vehicle is built from Isaac Lab shape spawners, so no asset server is needed. Rotor thrust is not
simulated by the physics engine: the task's motor action term turns motor commands into a body wrench.
"""

from __future__ import annotations

import math

import isaaclab.sim as sim_utils
from isaaclab.assets import RigidObjectCfg

CRAZYFLIE_MASS = 0.030
"""Nominal take-off mass [kg] (Crazyflie 2.1 with battery: about 0.027-0.032 kg)."""

CRAZYFLIE_ARM_LENGTH = 0.046
"""Distance from the centre of mass to each rotor axis [m]."""

CRAZYFLIE_INERTIA = (1.4e-5, 1.4e-5, 2.17e-5)
"""Nominal principal moments of inertia (Ixx, Iyy, Izz) [kg m^2]."""

CRAZYFLIE_THRUST_TO_WEIGHT = 2.0
"""Nominal ratio of the four rotors' maximum thrust to the vehicle's weight."""

CRAZYFLIE_MOTOR_TIME_CONSTANT = 0.04
"""Nominal first-order time constant of the rotor speed [s]."""

CRAZYFLIE_TORQUE_COEFFICIENT = 0.006
"""Nominal ratio of a rotor's drag torque to its thrust [N m / N = m]."""

ROTOR_POSITIONS = tuple(
    (CRAZYFLIE_ARM_LENGTH * math.cos(a), CRAZYFLIE_ARM_LENGTH * math.sin(a), 0.0)
    for a in (-math.pi / 4, -3 * math.pi / 4, 3 * math.pi / 4, math.pi / 4)
)
"""Rotor positions in the body frame (x forward, y left) [m]: front-right, back-right, back-left, front-left."""

ROTOR_SPIN = (-1.0, 1.0, -1.0, 1.0)
"""Yaw-torque sign of each rotor (an X layout: diagonal rotors spin the same way)."""

CRAZYFLIE_CFG = RigidObjectCfg(
    spawn=sim_utils.CuboidCfg(
        size=(0.092, 0.092, 0.03),
        rigid_props=sim_utils.RigidBodyPropertiesCfg(),
        mass_props=[sim_utils.MassCfg(mass=CRAZYFLIE_MASS)],
        collision_props=[sim_utils.UsdPhysicsCollisionCfg()],
        visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.15, 0.35, 0.8)),
    ),
    init_state=RigidObjectCfg.InitialStateCfg(pos=(0.0, 0.0, 1.0)),
)
"""A Crazyflie-sized box (0.092 m across the rotor tips) with the nominal mass; inertia is set at reset."""
