"""Crazyflie-class quadrotor: nominal physical constants, a local rigid-body asset config, and its MuJoCo twin.

The vehicle is built from Isaac Lab's shape spawner, so no asset server is needed: a box collides (drawn as a
``guide``, i.e. not rendered), and visual-only shapes show the frame, the two arms and the four rotors (the front
ones orange; red is the target marker). Rotor thrust is not simulated by the physics engine: the task's motor
action term turns motor commands into a body wrench.

The MuJoCo twin (for ``scripts/deploy/sim2sim.py``) is generated from the same constants: ``python -m
distill_lab.assets.quadrotor [--out PATH]`` writes :func:`mjcf_path` (the body's mass, inertia and collision box,
the rotors as sites at the arm positions, visual arms and rotors). Its rotors are driven by the motor model the
exported policy's metadata carries (thrust-to-weight, motor lag, torque coefficient, X mixer).
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

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


COLLISION_BOX = (0.092, 0.092, 0.03)
"""Size of the collision box [m]: 0.092 m across the rotor tips, 0.03 m tall."""

TWIN_TIMESTEP = 0.005
"""Physics time step of the MuJoCo twin [s] (the task's is 0.01 s; two twin steps per task step, four per control
step)."""


def quadrotor_mjcf(timestep: float = TWIN_TIMESTEP) -> str:
    """The MuJoCo twin of the nominal vehicle as MJCF text: a free body with :data:`CRAZYFLIE_MASS` and
    :data:`CRAZYFLIE_INERTIA` at its centre, the collision box :data:`COLLISION_BOX`, a site per rotor at
    :data:`ROTOR_POSITIONS` (named ``rotor_<i>_<spin>``), and visual-only frame, arms and rotors."""
    half = " ".join(f"{d / 2:g}" for d in COLLISION_BOX)
    inertia = " ".join(f"{i:g}" for i in CRAZYFLIE_INERTIA)
    arm = CRAZYFLIE_ARM_LENGTH
    rotors = "\n".join(
        f'      <site name="rotor_{i}_{"ccw" if spin > 0 else "cw"}" pos="{x:.6f} {y:.6f} 0.008" size="0.004"/>\n'
        f'      <geom class="visual" type="cylinder" size="0.023 0.0015" pos="{x:.6f} {y:.6f} 0.008" '
        f'rgba="{"1 0.55 0 1" if x > 0 else "0.85 0.85 0.85 1"}"/>'
        for i, ((x, y, _), spin) in enumerate(zip(ROTOR_POSITIONS, ROTOR_SPIN, strict=True))
    )
    return f"""<mujoco model="crazyflie_twin">
  <!-- Generated by distill_lab.assets.quadrotor.quadrotor_mjcf from the Quadcopter-Point-Ctrl vehicle constants. -->
  <compiler angle="radian" autolimits="true"/>
  <option timestep="{timestep:g}"/>
  <default>
    <default class="visual">
      <geom contype="0" conaffinity="0" group="2" mass="0"/>
    </default>
  </default>
  <worldbody>
    <body name="crazyflie" pos="0 0 1">
      <freejoint name="root"/>
      <inertial pos="0 0 0" mass="{CRAZYFLIE_MASS:g}" diaginertia="{inertia}"/>
      <geom name="collision" type="box" size="{half}" group="3" rgba="0.15 0.35 0.8 0.3"/>
      <geom class="visual" type="box" size="0.015 0.015 0.006" rgba="0.1 0.1 0.12 1"/>
      <geom class="visual" type="box" size="{arm:g} 0.004 0.003" euler="0 0 0.785398" rgba="0.1 0.1 0.12 1"/>
      <geom class="visual" type="box" size="{arm:g} 0.004 0.003" euler="0 0 -0.785398" rgba="0.1 0.1 0.12 1"/>
{rotors}
    </body>
  </worldbody>
</mujoco>
"""


def cache_dir() -> Path:
    """``${DISTILL_LAB_ASSET_CACHE:-~/.cache/distill_lab/assets}/quadrotor`` (read at call time)."""
    root = os.environ.get("DISTILL_LAB_ASSET_CACHE") or os.path.join("~", ".cache", "distill_lab", "assets")
    return Path(root).expanduser().resolve() / "quadrotor"


def mjcf_path(path: str | Path | None = None) -> Path:
    """Write the twin (:func:`quadrotor_mjcf`) to ``path`` (default ``cache_dir()/crazyflie.xml``) unless the file
    there already holds it; return the path."""
    path = Path(path) if path is not None else cache_dir() / "crazyflie.xml"
    text = quadrotor_mjcf()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".xml.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the MuJoCo twin of the Crazyflie-class quadrotor.")
    parser.add_argument("--out", type=Path, default=None, help=f"MJCF path (default: {cache_dir() / 'crazyflie.xml'})")
    args = parser.parse_args(argv)
    print(f"[quadrotor] wrote {mjcf_path(args.out)}")


if __name__ == "__main__":
    main()
