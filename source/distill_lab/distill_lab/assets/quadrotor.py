"""Crazyflie-class quadrotor: nominal physical constants and a local rigid-body asset config.

The vehicle is built from Isaac Lab's shape spawner, so no asset server is needed: a box collides (drawn as a
``guide``, i.e. not rendered), and visual-only shapes show the frame, the two arms and the four rotors (the front
ones orange; red is the target marker). Rotor thrust is not simulated by the physics engine: the task's motor
action term turns motor commands into a body wrench.
"""

from __future__ import annotations

import math

import isaaclab.sim as sim_utils
from isaaclab.assets import RigidObjectCfg
from isaaclab.sim.spawners.shapes.shapes import spawn_geom_from_prim_type
from isaaclab.sim.utils import clone
from isaaclab.utils import configclass

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


@clone
def spawn_quadrotor(prim_path: str, cfg: QuadrotorShapeCfg, translation=None, orientation=None, **kwargs):
    """The collision box of :func:`isaaclab.sim.spawn_cuboid`, hidden, plus visual-only frame, arms and rotors."""
    from pxr import Gf, UsdGeom

    size = min(cfg.size)
    prim = spawn_geom_from_prim_type(
        prim_path, cfg, "Cube", {"size": size}, translation, orientation, [d / size for d in cfg.size]
    )
    stage = prim.GetStage()
    UsdGeom.Imageable(stage.GetPrimAtPath(f"{prim_path}/geometry/mesh")).CreatePurposeAttr(UsdGeom.Tokens.guide)
    arm = 2 * CRAZYFLIE_ARM_LENGTH
    shapes = [("frame", UsdGeom.Cube, (0, 0, 0), (0.03, 0.03, 0.012), 0, (0.1, 0.1, 0.12))]
    shapes += [
        (f"arm_{i}", UsdGeom.Cube, (0, 0, 0), (arm, 0.008, 0.006), yaw, (0.1, 0.1, 0.12))
        for i, yaw in enumerate((45, -45))
    ]
    shapes += [
        (
            f"rotor_{i}",
            UsdGeom.Cylinder,
            (x, y, 0.008),
            (0.046, 0.046, 0.003),
            0,
            (1.0, 0.55, 0.0) if x > 0 else (0.85, 0.85, 0.85),
        )
        for i, (x, y, _) in enumerate(ROTOR_POSITIONS)
    ]
    for name, schema, position, extent, yaw, color in shapes:  # unit shapes scaled to ``extent`` [m]
        gprim = schema.Define(stage, f"{prim_path}/visuals/{name}")
        if schema is UsdGeom.Cylinder:
            gprim.CreateRadiusAttr(0.5), gprim.CreateHeightAttr(1.0)
        else:
            gprim.CreateSizeAttr(1.0)
        gprim.AddTranslateOp().Set(Gf.Vec3d(*position))
        gprim.AddRotateZOp().Set(float(yaw))
        gprim.AddScaleOp().Set(Gf.Vec3f(*extent))
        gprim.CreateDisplayColorAttr([Gf.Vec3f(*color)])
    return prim


@configclass
class QuadrotorShapeCfg(sim_utils.CuboidCfg):
    """A :class:`~isaaclab.sim.CuboidCfg` (the collision box) spawned with the quadrotor's visual shapes."""

    func: object = spawn_quadrotor


CRAZYFLIE_CFG = RigidObjectCfg(
    spawn=QuadrotorShapeCfg(
        size=(0.092, 0.092, 0.03),
        rigid_props=sim_utils.RigidBodyPropertiesCfg(),
        mass_props=[sim_utils.MassCfg(mass=CRAZYFLIE_MASS)],
        collision_props=[sim_utils.UsdPhysicsCollisionCfg()],
        visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.15, 0.35, 0.8)),
    ),
    init_state=RigidObjectCfg.InitialStateCfg(pos=(0.0, 0.0, 1.0)),
)
"""A Crazyflie-sized box (0.092 m across the rotor tips, as it collides) with the nominal mass; inertia is set at
reset."""
