"""The second simulator's scene: a robot's MJCF compiled by MuJoCo (C) with the policy's actuator model, a floor and
the physics options chosen, checked against the policy's contract by name; and :class:`MjRobot`, the robot's state
in the conventions of Isaac Lab's observation terms (root link pose, centre-of-mass velocity, joints by name).

Isaac Lab's implicit PD actuator on Newton (MuJoCo-Warp) is a MuJoCo position actuator with ``kp`` = stiffness and
``kv`` = damping on the joint, the joint's armature, and the effort limit as the joint's actuator force range
(Newton writes ``jnt_actfrcrange``); the MJCF's own actuators are replaced by these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from distill_lab.io import DistillLabError

from .contract import Contract

INTEGRATORS = {"euler": 0, "rk4": 1, "implicit": 2, "implicitfast": 3}
"""MuJoCo's integrator names (``mjtIntegrator``)."""

CONES = {"pyramidal": 0, "elliptic": 1}
"""MuJoCo's friction cone names (``mjtCone``)."""

SOLVERS = {"pgs": 0, "cg": 1, "newton": 2}
"""MuJoCo's constraint solver names (``mjtSolver``)."""

LIMIT_TOLERANCE = 2e-3
"""Largest difference [rad or m] between a joint's limits in the contract and in the MJCF that counts as equal."""


@dataclass
class PhysicsOptions:
    """MuJoCo options that override the MJCF's (None keeps the MJCF's own, or MuJoCo's default where it says none)."""

    timestep: float | None = None
    """Physics time step [s]."""
    integrator: str | None = None
    """``euler``, ``rk4``, ``implicit`` or ``implicitfast``."""
    cone: str | None = None
    """Friction cone: ``pyramidal`` or ``elliptic``."""
    impratio: float | None = None
    """Ratio of frictional to normal constraint impedance."""
    iterations: int | None = None
    """Constraint solver iterations."""
    ls_iterations: int | None = None
    """Line-search iterations."""
    solver: str | None = None
    """Constraint solver: ``newton``, ``cg`` or ``pgs``."""

    @classmethod
    def training(cls, contract: Contract) -> PhysicsOptions:
        """The settings the policy was trained with (the contract's physics time step and solver settings)."""
        physics = contract["physics"]
        solver = physics.get("solver") or {}
        return cls(
            timestep=float(physics["dt"]),
            integrator=solver.get("integrator"),
            cone=solver.get("cone"),
            impratio=solver.get("impratio"),
            iterations=solver.get("iterations"),
            ls_iterations=solver.get("ls_iterations"),
            solver=solver.get("solver"),
        )

    def merged(self, other: PhysicsOptions) -> PhysicsOptions:
        """These options with ``other``'s set fields on top."""
        return PhysicsOptions(**{k: v if v is not None else getattr(self, k) for k, v in other.as_dict().items()})

    def as_dict(self) -> dict:
        """The options as a dict (None for unset ones)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Scene:
    """A compiled scene: the model, what was added or replaced, and the robot's indices."""

    model: object
    """The ``mujoco.MjModel``."""
    mjcf: str
    """The MJCF it was compiled from."""
    root_body: int
    """Body id of the robot's free-floating root."""
    substeps: int
    """Physics steps per control step."""
    joint_names: list[str] = field(default_factory=list)
    """The contract's joint names (articulation order)."""
    qpos_adr: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    """``qpos`` address of each contract joint."""
    dof_adr: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    """``qvel`` address of each contract joint."""
    actuators: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    """Position actuator id of each contract joint."""
    notes: list[str] = field(default_factory=list)
    """What the scene changed in the MJCF (actuators, floor, options), for the report."""
    options: dict = field(default_factory=dict)
    """The physics options in effect."""

    def body_id(self, name: str) -> int:
        """Id of body ``name``; a one-line error when the MJCF has none."""
        import mujoco

        bid = mujoco.mj_name2id(self.model, mujoco.mjtObj.mjOBJ_BODY, name)
        if bid < 0:
            raise DistillLabError(
                f"expected body '{name}' (from the policy's metadata) in {os.path.basename(self.mjcf)}, found none; "
                f"its bodies are {', '.join(self.model.body(i).name for i in range(1, self.model.nbody))}"
            )
        return bid


def _load_spec(path: str):
    import mujoco

    if not os.path.isfile(path):
        raise DistillLabError(
            f"expected a robot MJCF at {path}, found {'a folder' if os.path.exists(path) else 'nothing'}"
        )
    try:
        return mujoco.MjSpec.from_file(path)
    except Exception as err:  # MuJoCo raises ValueError with multi-line messages
        raise DistillLabError(
            f"expected an MJCF MuJoCo can load at {path}, found: {' '.join(str(err).split())[:200]}"
        ) from None


def _free_body(spec, name: str) -> str:
    """Name of the (first) body with a free joint of MJCF ``name``."""
    import mujoco

    for joint in spec.joints:
        if joint.type == mujoco.mjtJoint.mjJNT_FREE:
            return joint.parent.name
    bodies = ", ".join(b.name for b in spec.bodies if b.name != "world") or "none"
    raise DistillLabError(
        f"expected a free-floating robot (a body with a <freejoint/>) in {name}, found none; its bodies: {bodies}"
    )


def _check_joint(joint, name: str, index: int, joints: dict, where: str, mjcf: str) -> None:
    """The contract's limits and default position for joint ``name`` against the MJCF's joint: a list of names
    permuted against their values (the export wrote them out of order) shows up as limits that do not match."""
    import mujoco

    lo, hi = (float(v) for v in joints["pos_limits"][index])
    if joint.limited != mujoco.mjtLimited.mjLIMITED_FALSE and np.any(joint.range != 0):
        ref = np.asarray(joint.range, float)
        if abs(lo - ref[0]) > LIMIT_TOLERANCE or abs(hi - ref[1]) > LIMIT_TOLERANCE:
            raise DistillLabError(
                f"expected joint '{name}' to have the limits [{ref[0]:.3f}, {ref[1]:.3f}] of {mjcf} in {where}'s "
                f"metadata, found [{lo:.3f}, {hi:.3f}] at its position {index} in robot.joints.names; the metadata's "
                "joint order does not match its values"
            )
    default = float(joints["default_pos"][index])
    if not lo - LIMIT_TOLERANCE <= default <= hi + LIMIT_TOLERANCE:
        raise DistillLabError(
            f"expected joint '{name}''s default position in {where} within its limits [{lo:.3f}, {hi:.3f}], found "
            f"{default:.3f}; the metadata's joint order does not match its values"
        )


def _add_actuators(spec, contract: Contract, notes: list[str]) -> None:
    """Replace the MJCF's actuators with the contract's implicit PD on every actuated joint (position actuator with
    kp and kv), set the joints' armature, effort limits (actuator force range) and friction."""
    import mujoco

    joints, where = contract.joints, contract.where
    for group, actuator in contract["robot"].get("actuators", {}).items():
        if not actuator.get("implicit", False):
            raise DistillLabError(
                f"expected implicit (PD) actuators in {where}, found '{group}' of class {actuator.get('class')}, whose "
                "model sim2sim does not reproduce"
            )
    old = list(spec.actuators)
    for actuator in old:
        spec.delete(actuator)
    if old:
        notes.append(f"replaced the MJCF's {len(old)} actuators by the policy's PD actuators")
    for i, name in enumerate(joints["names"]):
        joint = spec.joint(name)
        joint.armature = float(joints["armature"][i])
        effort = float(joints["effort_limit"][i])
        if np.isfinite(effort) and effort < 1e6:
            joint.actfrcrange = [-effort, effort]
            joint.actfrclimited = mujoco.mjtLimited.mjLIMITED_TRUE
        friction = float(joints.get("friction", [0.0] * len(joints["names"]))[i])
        if friction > 0:
            joint.frictionloss = friction
        act = spec.add_actuator(name=f"pd_{name}", target=name, trntype=mujoco.mjtTrn.mjTRN_JOINT)
        act.set_to_position(kp=float(joints["stiffness"][i]), kv=float(joints["damping"][i]))
    notes.append(f"PD gains, armature and effort limits of {len(joints['names'])} joints from {where}")


def _exclude_self_collisions(spec, root: str, notes: list[str]) -> None:
    """No contacts between any two bodies of the robot (the subtree of ``root``), as in a training whose articulation
    had self-collisions off; MuJoCo itself only skips parent-child pairs, so a thigh could still hit the trunk."""
    bodies, todo = [], [spec.body(root)]
    while todo:
        body = todo.pop()
        bodies.append(body.name)
        todo.extend(body.bodies)
    pairs = [(a, b) for i, a in enumerate(bodies) for b in bodies[i + 1 :]]
    for a, b in pairs:
        exclude = spec.add_exclude()
        exclude.bodyname1, exclude.bodyname2 = a, b
    notes.append(f"self-collisions off as in training ({len(pairs)} body pairs of the robot excluded)")


def _add_floor(spec, contract: Contract, notes: list[str]) -> None:
    """A plane at z = 0 with the ground's friction from the contract, unless the MJCF has a plane already."""
    import mujoco

    if any(g.type == mujoco.mjtGeom.mjGEOM_PLANE for g in spec.worldbody.geoms):
        notes.append("floor: the MJCF's own plane")
        return
    material = (contract.get("ground") or {}).get("material") or {}
    friction = material.get("static_friction")
    texture = spec.add_texture(name="sim2sim_grid", type=mujoco.mjtTexture.mjTEXTURE_2D,
                               builtin=mujoco.mjtBuiltin.mjBUILTIN_CHECKER, width=256, height=256,
                               rgb1=[0.32, 0.36, 0.40], rgb2=[0.22, 0.25, 0.28])  # fmt: skip
    mat = spec.add_material(name="sim2sim_grid", texrepeat=[8, 8], reflectance=0.1)
    mat.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = texture.name
    floor = spec.worldbody.add_geom(name="sim2sim_floor", type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.05],
                                    material="sim2sim_grid")  # fmt: skip
    if friction is not None:
        floor.friction = [float(friction), floor.friction[1], floor.friction[2]]
    spec.worldbody.add_light(
        name="sim2sim_sun", pos=[0, 0, 4], dir=[0, 0, -1], type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL
    )
    notes.append(f"added a floor plane (friction {floor.friction[0]:g}{' from the metadata' if friction else ''})")


def _apply_options(spec, options: PhysicsOptions, notes: list[str]) -> None:
    for key, table in (("integrator", INTEGRATORS), ("cone", CONES), ("solver", SOLVERS)):
        value = getattr(options, key)
        if value is not None:
            if str(value).lower() not in table:
                raise DistillLabError(f"expected {key} one of {', '.join(table)}, found '{value}'")
            setattr(spec.option, key, table[str(value).lower()])
    for key in ("timestep", "impratio", "iterations", "ls_iterations"):
        value = getattr(options, key)
        if value is not None:
            setattr(spec.option, key, value)
    set_keys = [k for k, v in options.as_dict().items() if v is not None]
    if set_keys:
        notes.append("options set: " + ", ".join(f"{k}={getattr(options, k)}" for k in set_keys))


def _effective_options(model) -> dict:
    names = {v: k for k, v in INTEGRATORS.items()}, {v: k for k, v in CONES.items()}, {v: k for k, v in SOLVERS.items()}
    opt = model.opt
    return {
        "timestep": float(opt.timestep),
        "integrator": names[0][int(opt.integrator)],
        "cone": names[1][int(opt.cone)],
        "solver": names[2][int(opt.solver)],
        "impratio": float(opt.impratio),
        "iterations": int(opt.iterations),
        "ls_iterations": int(opt.ls_iterations),
        "gravity": [float(g) for g in opt.gravity],
    }


def substeps_per_control(control_dt: float, timestep: float, mjcf: str) -> int:
    """Physics steps per control step; a one-line error when the control period is not a whole number of them."""
    ratio = control_dt / timestep
    steps = int(round(ratio))
    if steps < 1 or abs(ratio - steps) > 1e-6:
        raise DistillLabError(
            f"expected the policy's control period {control_dt:g} s ({1 / control_dt:g} Hz) to be a whole multiple of "
            f"the physics time step of {mjcf}, {timestep:g} s; found {ratio:.4g} physics steps per control step"
        )
    return steps


def build_scene(mjcf: str, contract: Contract, options: PhysicsOptions | None = None, floor: bool = True) -> Scene:
    """Compile ``mjcf`` for the policy of ``contract``: joints checked and mapped by name, the contract's actuator
    model, the training's self-collision setting, a floor, ``options`` over the MJCF's own. Raises a one-line
    :class:`DistillLabError` for a joint or body the MJCF lacks, a contract whose joint values do not match the MJCF,
    or a control period that is not a whole number of physics steps."""
    import mujoco

    spec, notes, name = _load_spec(mjcf), [], os.path.basename(mjcf)
    root = _free_body(spec, name)
    robot = contract["robot"]
    joints = contract.joints
    if robot["kind"] == "Articulation":
        base = robot["body_names"][0]
        if base != root:
            raise DistillLabError(
                f"expected the free-floating body of {name} to be '{base}' (the root body in {contract.where}), "
                f"found '{root}'"
            )
        mj_joints = {
            j.name: j for j in spec.joints if j.type in (mujoco.mjtJoint.mjJNT_HINGE, mujoco.mjtJoint.mjJNT_SLIDE)
        }
        for i, joint_name in enumerate(joints["names"]):
            if joint_name not in mj_joints:
                raise DistillLabError(
                    f"expected joint '{joint_name}' (from {contract.where}'s robot.joints.names) in {name}, found no "
                    f"such joint; its joints are {', '.join(mj_joints) or 'none'}"
                )
            _check_joint(mj_joints[joint_name], joint_name, i, joints, contract.where, name)
        _add_actuators(spec, contract, notes)
        if robot.get("self_collisions") is False:
            _exclude_self_collisions(spec, root, notes)
        elif robot.get("self_collisions") is None:
            notes.append(f"self-collisions as in {name} ({contract.where} does not say whether training had them)")
    if floor:
        _add_floor(spec, contract, notes)
    if options is not None:
        _apply_options(spec, options, notes)
    try:
        model = spec.compile()
    except Exception as err:
        raise DistillLabError(
            f"expected {name} to compile with the policy's actuators, found: {' '.join(str(err).split())[:200]}"
        ) from None
    substeps = substeps_per_control(contract.control_dt, float(model.opt.timestep), name)
    scene = Scene(model=model, mjcf=mjcf, root_body=model.body(root).id, substeps=substeps, notes=notes)
    scene.options = _effective_options(model)
    if joints is not None:
        scene.joint_names = list(joints["names"])
        scene.qpos_adr = np.array([model.jnt_qposadr[model.joint(n).id] for n in joints["names"]])
        scene.dof_adr = np.array([model.jnt_dofadr[model.joint(n).id] for n in joints["names"]])
        scene.actuators = np.array([model.actuator(f"pd_{n}").id for n in joints["names"]])
    return scene


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of two 3-vectors (``np.cross`` costs ~20x more on vectors this small)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def _quat_wxyz_to_matrix(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


class MjRobot:
    """One robot's MuJoCo data and its state in Isaac Lab's conventions: the root *link* pose, the root's
    *centre-of-mass* linear velocity (world or root-link frame), angular velocity, joints in the contract's order."""

    def __init__(self, scene: Scene):
        import mujoco

        self.scene = scene
        """The compiled scene."""
        self.model = scene.model
        """The ``MjModel``."""
        self.data = mujoco.MjData(scene.model)
        """This robot's ``MjData``."""
        root = scene.root_body
        self._free_q = int(self.model.jnt_qposadr[self.model.body_jntadr[root]])
        self._free_v = int(self.model.jnt_dofadr[self.model.body_jntadr[root]])
        self._geom_body = np.asarray(self.model.geom_bodyid)
        self._force = np.zeros(6)

    # -- state

    def rotation(self) -> np.ndarray:
        """Root link orientation as a 3x3 matrix (body to world): MuJoCo's ``xmat``, current after :meth:`set_state`
        and after each physics step of :class:`~distill_lab.deploy.runner.MjEnv` (which recomputes the poses)."""
        return self.data.xmat[self.scene.root_body].reshape(3, 3).copy()

    def root_pos(self) -> np.ndarray:
        """Root link position, world frame [m]."""
        return self.data.qpos[self._free_q : self._free_q + 3].copy()

    def root_quat_xyzw(self) -> np.ndarray:
        """Root link orientation as a quaternion (x, y, z, w), Isaac Lab's convention."""
        w, x, y, z = self.data.qpos[self._free_q + 3 : self._free_q + 7]
        return np.array([x, y, z, w])

    def ang_vel_w(self) -> np.ndarray:
        """Root angular velocity, world frame [rad/s]."""
        return self.rotation() @ self.data.qvel[self._free_v + 3 : self._free_v + 6]

    def ang_vel_b(self) -> np.ndarray:
        """Root angular velocity, root link frame [rad/s] (what a gyro on the base measures)."""
        return self.data.qvel[self._free_v + 3 : self._free_v + 6].copy()

    def com_offset_w(self) -> np.ndarray:
        """Root centre of mass minus root link origin, world frame [m]."""
        root = self.scene.root_body
        return self.data.xipos[root] - self.data.xpos[root]

    def lin_vel_w(self) -> np.ndarray:
        """Root centre-of-mass linear velocity, world frame [m/s] (Isaac Lab's ``root_lin_vel_w``)."""
        origin = self.data.qvel[self._free_v : self._free_v + 3]
        return origin + _cross(self.ang_vel_w(), self.com_offset_w())

    def lin_vel_b(self) -> np.ndarray:
        """Root centre-of-mass linear velocity in the root link frame [m/s] (Isaac Lab's ``root_lin_vel_b``)."""
        return self.rotation().T @ self.lin_vel_w()

    def projected_gravity_b(self) -> np.ndarray:
        """Unit gravity direction in the root link frame."""
        return self.rotation().T @ np.array([0.0, 0.0, -1.0])

    def joint_pos(self) -> np.ndarray:
        """Joint positions in the contract's order."""
        return self.data.qpos[self.scene.qpos_adr].copy()

    def joint_vel(self) -> np.ndarray:
        """Joint velocities in the contract's order."""
        return self.data.qvel[self.scene.dof_adr].copy()

    def set_state(self, state: dict) -> None:
        """Put the robot in ``state`` (Isaac Lab's conventions, see :func:`state_dict`) and recompute everything."""
        import mujoco

        d = self.data
        d.qpos[:] = self.model.qpos0
        d.qvel[:] = 0.0
        d.qpos[self._free_q : self._free_q + 3] = state["root_pos"]
        x, y, z, w = state["root_quat_xyzw"]
        quat = np.array([w, x, y, z], float)
        d.qpos[self._free_q + 3 : self._free_q + 7] = quat / np.linalg.norm(quat)
        names = state.get("joint_names", self.scene.joint_names)
        index = {n: i for i, n in enumerate(self.scene.joint_names)}
        for name, q, v in zip(names, state.get("joint_pos", []), state.get("joint_vel", []), strict=True):
            d.qpos[self.scene.qpos_adr[index[name]]] = q
            d.qvel[self.scene.dof_adr[index[name]]] = v
        mujoco.mj_kinematics(self.model, d)
        rotation = _quat_wxyz_to_matrix(d.qpos[self._free_q + 3 : self._free_q + 7])
        omega_w = np.asarray(state.get("root_ang_vel_w", np.zeros(3)), float)
        com_w = np.asarray(state.get("root_lin_vel_w", np.zeros(3)), float)
        d.qvel[self._free_v : self._free_v + 3] = com_w - _cross(omega_w, self.com_offset_w())
        d.qvel[self._free_v + 3 : self._free_v + 6] = rotation.T @ omega_w
        mujoco.mj_forward(self.model, d)

    def state_dict(self) -> dict:
        """The state in Isaac Lab's conventions: root link position and (x, y, z, w) quaternion, root centre-of-mass
        linear and angular velocity in the world frame, joint names, positions and velocities."""
        return {
            "root_pos": self.root_pos().tolist(),
            "root_quat_xyzw": self.root_quat_xyzw().tolist(),
            "root_lin_vel_w": self.lin_vel_w().tolist(),
            "root_ang_vel_w": self.ang_vel_w().tolist(),
            "joint_names": list(self.scene.joint_names),
            "joint_pos": self.joint_pos().tolist(),
            "joint_vel": self.joint_vel().tolist(),
        }

    # -- contacts

    def contact_forces(self, bodies: np.ndarray) -> np.ndarray:
        """Sum of the normal contact force magnitudes on each body of ``bodies`` [N] (every contact it is part of)."""
        import mujoco

        out = np.zeros(len(bodies))
        ncon = self.data.ncon
        if ncon == 0:
            return out
        pairs = self._geom_body[self.data.contact.geom[:ncon]]  # (ncon, 2) body ids
        for i in np.flatnonzero(np.isin(pairs, bodies).any(axis=1)):
            mujoco.mj_contactForce(self.model, self.data, int(i), self._force)
            out[(bodies == pairs[i, 0]) | (bodies == pairs[i, 1])] += abs(self._force[0])
        return out
