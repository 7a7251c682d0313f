"""Author the project's Go1-class quadruped as a small ASCII USD file (``data/quadruped.usda``) with usd-core.

The shipped Isaac Lab robot USDs live on NVIDIA's asset server, which is unreachable from the project's machines, so
the project owns a local stand-in with the Unitree Go1's dimensions, masses and joint limits. Regenerate the file with
``python -m distill_lab.assets.build_quadruped_usd`` (optionally ``--output PATH``); the output is deterministic and a
test checks that the committed file matches it.

Layout (Z up, X forward, metres, kilograms): the default prim ``/quadruped`` carries ``PhysicsArticulationRootAPI``;
its children are the 13 rigid links (``trunk`` and ``{FL,FR,RL,RR}_{hip,thigh,calf}``) placed at the zero-angle pose,
and a ``joints`` scope holds the 12 revolute joints. Each link has ``PhysicsRigidBodyAPI`` and ``PhysicsMassAPI``
(mass, centre of mass, diagonal inertia computed from simple solid shapes). Only the trunk box and the foot spheres
(part of the calf links) collide; the hip, thigh and calf shells are visual-only. Each joint has an angular
``PhysicsDriveAPI`` with zero gains: Isaac Lab's actuator config sets the gains.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "data" / "quadruped.usda"
"""Where the asset is written by default (next to this module, committed to the repository)."""

ROOT_NAME = "quadruped"
"""Name of the default prim (the articulation root) of the USD file."""

LEG_NAMES = ("FL", "FR", "RL", "RR")
"""Leg prefixes: front-left, front-right, rear-left, rear-right."""

TRUNK_SIZE = (0.38, 0.19, 0.11)
"""Trunk box size (x, y, z) [m]; it is also the trunk's collision shape."""

TRUNK_MASS = 4.48
"""Trunk mass [kg], chosen so that the robot's total mass is 12.0 kg."""

HIP_OFFSET = (0.188, 0.047, 0.0)
"""Hip (abduction) joint position in the trunk frame for the front-left leg [m]; other legs mirror x and/or y."""

THIGH_OFFSET = 0.08
"""Lateral offset of the thigh joint from the hip joint [m] (outwards)."""

THIGH_LENGTH = 0.213
"""Distance from the thigh joint to the calf (knee) joint [m]."""

CALF_LENGTH = 0.213
"""Distance from the knee joint to the foot centre [m]."""

FOOT_RADIUS = 0.02
"""Radius of the foot collision sphere at the calf's end [m]."""

HIP_MASS = 0.68
"""Hip link mass [kg] (thigh motor housing)."""

THIGH_MASS = 1.0
"""Thigh link mass [kg] (knee motor coaxial with the thigh joint, plus the thigh shell)."""

CALF_MASS = 0.2
"""Calf link mass including the foot [kg]."""

FOOT_MASS = 0.06
"""Share of :data:`CALF_MASS` lumped in the foot sphere [kg]."""

TOTAL_MASS = TRUNK_MASS + len(LEG_NAMES) * (HIP_MASS + THIGH_MASS + CALF_MASS)
"""Total robot mass [kg] (12.0)."""

HIP_LIMIT = (-0.86, 0.86)
"""Hip (abduction) joint limits [rad]."""

THIGH_LIMIT = (-0.69, 4.5)
"""Thigh joint limits [rad]."""

CALF_LIMIT = (-2.8, -0.9)
"""Calf (knee) joint limits [rad]."""

EFFORT_LIMIT = 23.7
"""Joint torque limit [N m], authored as the drives' ``maxForce``."""

JOINT_KINDS = ("hip", "thigh", "calf")
"""Joint (and link) kinds of a leg, from the trunk outwards."""

JOINT_NAMES = tuple(f"{leg}_{kind}_joint" for leg in LEG_NAMES for kind in JOINT_KINDS)
"""The 12 joint names, leg by leg (this is also the order in which Newton reports them)."""

BODY_NAMES = ("trunk",) + tuple(f"{leg}_{kind}" for leg in LEG_NAMES for kind in JOINT_KINDS)
"""The 13 link names, trunk first, then leg by leg."""

_DIGITS = 6
"""Significant digits of authored values, so that the ASCII file is short and stable."""


def _r(x: float) -> float:
    return float(f"{float(x):.{_DIGITS}g}") + 0.0  # "+ 0.0" turns -0.0 into 0.0


def _leg_signs(leg: str) -> tuple[float, float]:
    """(x sign, y sign) of a leg: front/rear and left/right."""
    return (1.0 if leg[0] == "F" else -1.0), (1.0 if leg[1] == "L" else -1.0)


# --- inertia of simple solids (about their own centre, axis-aligned)


def _box_inertia(mass: float, size: tuple[float, float, float]) -> tuple[float, float, float]:
    sx, sy, sz = size
    return (mass * (sy**2 + sz**2) / 12.0, mass * (sx**2 + sz**2) / 12.0, mass * (sx**2 + sy**2) / 12.0)


def _cylinder_y_inertia(mass: float, radius: float, length: float) -> tuple[float, float, float]:
    transverse = mass * (3.0 * radius**2 + length**2) / 12.0
    return (transverse, 0.5 * mass * radius**2, transverse)


def _sphere_inertia(mass: float, radius: float) -> tuple[float, float, float]:
    i = 0.4 * mass * radius**2
    return (i, i, i)


def _combine(parts: list[tuple[float, tuple[float, float, float], tuple[float, float, float]]]):
    """Mass, centre of mass and diagonal inertia about it of solids ``(mass, centre, diag inertia)``.

    All parts here lie on one line parallel to a principal axis, so the combined inertia stays diagonal.
    """
    mass = sum(p[0] for p in parts)
    com = tuple(sum(p[0] * p[1][k] for p in parts) / mass for k in range(3))
    inertia = [0.0, 0.0, 0.0]
    for m, c, diag in parts:
        d = [c[k] - com[k] for k in range(3)]
        inertia[0] += diag[0] + m * (d[1] ** 2 + d[2] ** 2)
        inertia[1] += diag[1] + m * (d[0] ** 2 + d[2] ** 2)
        inertia[2] += diag[2] + m * (d[0] ** 2 + d[1] ** 2)
    return mass, com, tuple(inertia)


def link_mass_properties() -> dict[str, tuple[float, tuple[float, float, float], tuple[float, float, float]]]:
    """Mass [kg], centre of mass [m] (link frame) and diagonal inertia [kg m^2] of each link kind."""
    thigh_shell = 0.4
    calf_shell = CALF_MASS - FOOT_MASS
    return {
        "trunk": _combine([(TRUNK_MASS, (0.0, 0.0, 0.0), _box_inertia(TRUNK_MASS, TRUNK_SIZE))]),
        # thigh motor housing: a cylinder along y (r 4.6 cm, 4 cm long) centred on the hip joint
        "hip": _combine([(HIP_MASS, (0.0, 0.0, 0.0), _cylinder_y_inertia(HIP_MASS, 0.046, 0.04))]),
        # knee motor on the thigh joint axis and a box shell down to the knee
        "thigh": _combine(
            [
                (THIGH_MASS - thigh_shell, (0.0, 0.0, 0.0), _cylinder_y_inertia(THIGH_MASS - thigh_shell, 0.04, 0.035)),
                (thigh_shell, (0.0, 0.0, -THIGH_LENGTH / 2), _box_inertia(thigh_shell, (0.03, 0.025, THIGH_LENGTH))),
            ]
        ),
        # slender calf shell and the foot sphere at its end
        "calf": _combine(
            [
                (calf_shell, (0.0, 0.0, -CALF_LENGTH / 2), _box_inertia(calf_shell, (0.016, 0.016, CALF_LENGTH))),
                (FOOT_MASS, (0.0, 0.0, -CALF_LENGTH), _sphere_inertia(FOOT_MASS, FOOT_RADIUS)),
            ]
        ),
    }


# --- USD authoring


def _vec3f(v):
    from pxr import Gf

    return Gf.Vec3f(*(_r(x) for x in v))


def _add_link(stage, path: str, position, mass_props):
    """A rigid-body Xform at ``position`` (root frame) with MassAPI mass, centre of mass and diagonal inertia."""
    from pxr import UsdGeom, UsdPhysics

    xform = UsdGeom.Xform.Define(stage, path)
    xform.AddTranslateOp().Set(tuple(_r(x) for x in position))
    prim = xform.GetPrim()
    UsdPhysics.RigidBodyAPI.Apply(prim)
    mass, com, inertia = mass_props
    mass_api = UsdPhysics.MassAPI.Apply(prim)
    mass_api.CreateMassAttr(_r(mass))
    mass_api.CreateCenterOfMassAttr(_vec3f(com))
    mass_api.CreateDiagonalInertiaAttr(_vec3f(inertia))
    return prim


def _add_shape(stage, path: str, kind: str, position, *, collide: bool, color, **attrs):
    """A Cube/Sphere/Capsule/Cylinder child prim; with ``collide`` it gets ``PhysicsCollisionAPI``."""
    from pxr import Gf, UsdGeom, UsdPhysics

    schema = {"Cube": UsdGeom.Cube, "Sphere": UsdGeom.Sphere, "Capsule": UsdGeom.Capsule, "Cylinder": UsdGeom.Cylinder}
    gprim = schema[kind].Define(stage, path)
    scale = attrs.pop("scale", None)
    for name, value in attrs.items():
        gprim.GetPrim().GetAttribute(name).Set(_r(value) if isinstance(value, float) else value)
    if any(position):
        gprim.AddTranslateOp().Set(tuple(_r(x) for x in position))
    if scale is not None:
        gprim.AddScaleOp().Set(Gf.Vec3f(*(_r(x) for x in scale)))
    gprim.CreateDisplayColorAttr([Gf.Vec3f(*color)])
    if collide:
        UsdPhysics.CollisionAPI.Apply(gprim.GetPrim())
    return gprim


def _add_revolute_joint(stage, path: str, parent: str, child: str, local_pos0, axis: str, limits_rad):
    """Revolute joint (limits in degrees, as USD wants) with an angular force drive of zero gain."""
    from pxr import Gf, UsdPhysics

    joint = UsdPhysics.RevoluteJoint.Define(stage, path)
    joint.CreateBody0Rel().SetTargets([parent])
    joint.CreateBody1Rel().SetTargets([child])
    joint.CreateLocalPos0Attr(_vec3f(local_pos0))
    joint.CreateLocalRot0Attr(Gf.Quatf(1.0, 0.0, 0.0, 0.0))
    joint.CreateLocalPos1Attr(Gf.Vec3f(0.0, 0.0, 0.0))
    joint.CreateLocalRot1Attr(Gf.Quatf(1.0, 0.0, 0.0, 0.0))
    joint.CreateAxisAttr(axis)
    joint.CreateLowerLimitAttr(_r(math.degrees(limits_rad[0])))
    joint.CreateUpperLimitAttr(_r(math.degrees(limits_rad[1])))
    drive = UsdPhysics.DriveAPI.Apply(joint.GetPrim(), "angular")
    drive.CreateTypeAttr("force")
    drive.CreateStiffnessAttr(0.0)
    drive.CreateDampingAttr(0.0)
    drive.CreateMaxForceAttr(_r(EFFORT_LIMIT))
    drive.CreateTargetPositionAttr(0.0)
    drive.CreateTargetVelocityAttr(0.0)
    return joint


def build_stage():
    """Author the quadruped into a new in-memory stage and return it."""
    from pxr import Usd, UsdGeom, UsdPhysics

    stage = Usd.Stage.CreateInMemory()
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    UsdPhysics.SetStageKilogramsPerUnit(stage, 1.0)
    stage.GetRootLayer().documentation = (
        "Go1-class quadruped authored by distill_lab.assets.build_quadruped_usd; do not edit, regenerate."
    )

    root = f"/{ROOT_NAME}"
    root_prim = UsdGeom.Xform.Define(stage, root).GetPrim()
    stage.SetDefaultPrim(root_prim)
    UsdPhysics.ArticulationRootAPI.Apply(root_prim)
    stage.DefinePrim(f"{root}/joints", "Scope")

    props = link_mass_properties()
    body_color, leg_color, foot_color = (0.2, 0.2, 0.22), (0.75, 0.75, 0.78), (0.1, 0.1, 0.1)

    trunk = f"{root}/trunk"
    _add_link(stage, trunk, (0.0, 0.0, 0.0), props["trunk"])
    _add_shape(
        stage, f"{trunk}/collision", "Cube", (0, 0, 0), collide=True, color=body_color, size=1.0, scale=TRUNK_SIZE
    )

    for leg in LEG_NAMES:
        sx, sy = _leg_signs(leg)
        hip_pos = (sx * HIP_OFFSET[0], sy * HIP_OFFSET[1], HIP_OFFSET[2])
        thigh_pos = (hip_pos[0], hip_pos[1] + sy * THIGH_OFFSET, hip_pos[2])
        calf_pos = (thigh_pos[0], thigh_pos[1], thigh_pos[2] - THIGH_LENGTH)

        hip, thigh, calf = (f"{root}/{leg}_{kind}" for kind in JOINT_KINDS)
        _add_link(stage, hip, hip_pos, props["hip"])
        _add_shape(
            stage, f"{hip}/visual", "Cylinder", (0, 0, 0), collide=False, color=body_color, radius=0.046, height=0.04
        ).CreateAxisAttr("Y")
        for link, pos, length, radius in ((thigh, thigh_pos, THIGH_LENGTH, 0.02), (calf, calf_pos, CALF_LENGTH, 0.011)):
            _add_link(stage, link, pos, props[link.rsplit("_", 1)[1]])
            _add_shape(
                stage,
                f"{link}/visual",
                "Capsule",
                (0.0, 0.0, -length / 2),
                collide=False,
                color=leg_color,
                radius=radius,
                height=length - 2 * radius,
            ).CreateAxisAttr("Z")
        _add_shape(
            stage,
            f"{calf}/foot",
            "Sphere",
            (0.0, 0.0, -CALF_LENGTH),
            collide=True,
            color=foot_color,
            radius=FOOT_RADIUS,
        )

        joints = f"{root}/joints"
        _add_revolute_joint(stage, f"{joints}/{leg}_hip_joint", trunk, hip, hip_pos, "X", HIP_LIMIT)
        _add_revolute_joint(
            stage, f"{joints}/{leg}_thigh_joint", hip, thigh, (0.0, sy * THIGH_OFFSET, 0.0), "Y", THIGH_LIMIT
        )
        _add_revolute_joint(
            stage, f"{joints}/{leg}_calf_joint", thigh, calf, (0.0, 0.0, -THIGH_LENGTH), "Y", CALF_LIMIT
        )
    return stage


def build(output: str | Path = DEFAULT_OUTPUT) -> Path:
    """Write the quadruped USD (ASCII) to ``output`` and return its path."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    stage = build_stage()  # keep the stage alive while its layer is exported
    text = stage.GetRootLayer().ExportToString()
    output.write_text(text, encoding="utf-8")
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .usda file")
    args = parser.parse_args(argv)
    path = build(args.output)
    print(f"wrote {path} ({path.stat().st_size} bytes, total mass {TOTAL_MASS:.2f} kg)")


if __name__ == "__main__":
    main()
