"""What every distill_lab task's env cfg shares: the privileged terms no student may read, a robustness sweep for
evaluation, the play settings Isaac Lab applies with ``play_mode=True``, Newton MuJoCo-Warp settings that build and
step vectorized envs on the CPU, and a local ground (a box or a plane) and light (Isaac Lab's default ground plane is a
remote USD)."""

from __future__ import annotations

import isaaclab.sim as sim_utils
from isaaclab.assets import AssetBaseCfg
from isaaclab.envs import ManagerBasedRLEnvCfg
from isaaclab.managers import EventTermCfg, ObservationGroupCfg, ObservationTermCfg
from isaaclab.terrains import TerrainImporterCfg
from isaaclab.utils import configclass
from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg

from distill_lab.assets import GROUND_PLANE_USD
from distill_lab.io import DistillLabError

from . import mdp

LIGHT = AssetBaseCfg(prim_path="/World/light", spawn=sim_utils.DistantLightCfg(color=(1.0, 1.0, 1.0), intensity=2500.0))
"""A sun-like light."""


def ground_box(color: tuple[float, float, float], friction: float | None = None) -> AssetBaseCfg:
    """The ground: a 400 m x 400 m box, 1 m thick, whose top face is at z = 0, with an optional friction."""
    material = (
        None
        if friction is None
        else sim_utils.RigidBodyMaterialCfg(static_friction=friction, dynamic_friction=friction)
    )
    spawn = sim_utils.CuboidCfg(
        size=(400.0, 400.0, 1.0),
        collision_props=[sim_utils.UsdPhysicsCollisionCfg()],
        physics_material=material,
        visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=color),
    )
    return AssetBaseCfg(
        prim_path="/World/ground", spawn=spawn, init_state=AssetBaseCfg.InitialStateCfg(pos=(0, 0, -0.5))
    )


def ground_plane(friction: float) -> TerrainImporterCfg:
    """Isaac Lab's flat ground as a terrain importer of the local plane :data:`GROUND_PLANE_USD`, with ``friction``.
    MuJoCo collides a plane with spheres, capsules and boxes analytically, cheaper than with a box ground."""
    material = sim_utils.RigidBodyMaterialCfg(static_friction=friction, dynamic_friction=friction)
    return TerrainImporterCfg(
        prim_path="/World/ground", terrain_type="usd", usd_path=GROUND_PLANE_USD, physics_material=material
    )


def newton_mjwarp(njmax: int, nconmax: int, use_mujoco_contacts: bool = True, impratio: float = 1.0) -> NewtonCfg:
    """MuJoCo-Warp with constraint (``njmax``) and contact (``nconmax``) budgets sized to the scene, per env.

    ``use_mujoco_contacts=True`` uses MuJoCo's collision (primitive shapes); ``False`` uses Newton's pipeline
    (needed for terrain meshes). ``impratio``: MuJoCo's friction-to-normal impedance ratio (above 1 stops slow foot
    creep under a sustained load). CUDA graphs are off so the same cfg runs on the CPU.
    """
    solver = MJWarpSolverCfg(
        njmax=njmax,
        nconmax=nconmax,
        cone="pyramidal",
        impratio=impratio,
        integrator="implicitfast",
        use_mujoco_contacts=use_mujoco_contacts,
    )
    return NewtonCfg(solver_cfg=solver, num_substeps=1, use_cuda_graph=False)


@configclass
class RobustnessSweepCfg:
    """One randomized parameter of a task, pinned to each of :attr:`values` in turn during evaluation."""

    label: str = ""
    """What is swept, with its unit, for plots and JSON (e.g. ``"mass [x nominal]"``)."""

    event: str = ""
    """Name of the event term that randomizes the parameter."""

    params: tuple[str, ...] = ()
    """The event term's range parameters, each set to ``(value, value)``."""

    values: tuple[float, ...] = ()
    """Values to evaluate at; include some outside :attr:`training_range` to see how the policy degrades."""

    training_range: tuple[float, float] = (0.0, 0.0)
    """The range the policies were trained on (for plots)."""


@configclass
class SpecialistCfg:
    """What makes a specialist teacher (``train_teachers.py``): the event parameters pinned to one sampled value."""

    event: str = ""
    """Name of the event term whose range parameters a specialist's training pins (e.g. ``dynamics``)."""

    params: tuple[str, ...] = ()
    """Its range parameters pinned per specialist, each to a value drawn uniformly from the task's range."""


@configclass
class Sim2SimCfg:
    """How the task's exported policies are checked in a second simulator (``distill_lab.cli.sim2sim``)."""

    mjcf: str = ""
    """``module:function`` returning the robot's MJCF path (building it when needed); empty: the task has no MJCF and
    the pipeline skips its sim2sim stage."""

    nominal_events: dict = {}
    """Event term name -> parameters to pin (or None to remove the term) so that Isaac Lab simulates the nominal robot
    that the MJCF describes (no mass, centre-of-mass or dynamics randomization, no wind)."""


@configclass
class TeacherIdCfg(ObservationGroupCfg):
    """Obs group ``teacher_id``: each env's assigned teacher (multi-teacher distillation; no student reads it)."""

    teacher_id = ObservationTermCfg(func=mdp.assigned_teacher)
    """The assigned teacher's index."""

    def __post_init__(self):
        self.enable_corruption, self.concatenate_terms = False, True


def assign_teachers(env_cfg, conditions: list[dict], weights: list[float]) -> None:
    """Give an env the assignment of multi-teacher distillation: the reset event ``assign_teachers`` (last, so a
    teacher's conditions override the task's randomization) and the obs group ``teacher_id``. A condition naming an
    event term or parameter the env does not have is refused before the env is built."""
    if not hasattr(env_cfg, "events"):
        raise DistillLabError(
            f"multi-teacher distillation needs a manager-based env (events); {type(env_cfg).__name__}"
        )
    for k, teacher_conditions in enumerate(conditions):
        for term, params in teacher_conditions.items():
            cfg = getattr(env_cfg.events, term, None)
            unknown = set(params) - set(cfg.params if cfg is not None else ())
            if cfg is None or unknown:
                raise DistillLabError(
                    f"teacher {k}'s conditions name event '{term}' parameter(s) {sorted(unknown or params)}; the env's "
                    f"events are {sorted(t for t in vars(env_cfg.events) if not t.startswith('_'))}"
                    + (f" and '{term}' has {sorted(cfg.params)}" if cfg is not None else "")
                )
    env_cfg.events.assign_teachers = EventTermCfg(
        func=mdp.assign_teachers, mode="reset", params={"conditions": tuple(conditions), "weights": tuple(weights)}
    )
    env_cfg.observations.teacher_id = TeacherIdCfg()


@configclass
class DistillLabEnvCfg(ManagerBasedRLEnvCfg):
    """A manager-based RL env with obs groups ``policy`` (what the robot senses), ``critic`` and ``teacher``
    (``policy`` plus privileged terms)."""

    privileged_terms: tuple[str, ...] = ()
    """Observation terms a deployed robot does not sense; every deployable policy reading one is refused
    (:func:`distill_lab.runners.check_policy_observations`)."""

    robustness_sweep: RobustnessSweepCfg = RobustnessSweepCfg()
    """The parameter ``evaluate.py --sweep`` pins to each of its values."""

    specialist: SpecialistCfg = SpecialistCfg()
    """What a specialist teacher of this task is trained on (none: specialists need explicit conditions)."""

    sim2sim: Sim2SimCfg = Sim2SimCfg()
    """The task's MJCF and nominal robot for the second-simulator check (none by default)."""

    def play_mode(self):
        """Play settings (Isaac Lab applies them for ``play_mode=True``): 16 envs, no observation noise."""
        self.scene.num_envs = 16
        self.observations.policy.enable_corruption = False
