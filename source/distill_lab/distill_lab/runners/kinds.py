"""What a run is, decided in one place, and the guard that keeps privileged terms out of every deployable policy.

:func:`run_kind` reads the agent cfg's ``algorithm.class_name``: the algorithm class says what the run trains, which
obs set its policy reads, what a fresh run loads first and which checkpoint kind it writes
(:func:`distill_lab.io.checkpoint_kind`). Every command decides with it. A new kind of run adds one line to
:data:`RUN_KINDS`; a new algorithm of an existing kind subclasses that kind's algorithm and needs no line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsl_rl.algorithms import PPO, Distillation
from rsl_rl.utils import resolve_callable

from distill_lab.distillation.finetune import FinetunePPO
from distill_lab.distillation.multi_teacher import MultiTeacherDAgger
from distill_lab.distillation.offline import OfflineBC
from distill_lab.distillation.ppd import PPD
from distill_lab.io import DistillLabError


@dataclass(frozen=True)
class RunKind:
    """What a run trains and what it needs."""

    name: str
    """``teacher`` (PPO on privileged observations), ``distillation``, ``multi_teacher``, ``offline_bc``, ``ppd`` or
    ``finetune``."""
    policy_set: str
    """The obs set (key of ``agent.obs_groups``) the trained policy reads: ``actor`` or ``student``."""
    starts_from: str | None
    """What a fresh run loads before learning: ``teacher``, ``student`` (a distilled one) or nothing."""
    start_required: bool
    """Whether a fresh run cannot learn without it (offline BC needs a teacher only for its DAgger rounds)."""
    writes: str
    """The checkpoint kind the run writes; a checkpoint of this kind is a run of this kind to continue."""
    many_teachers: bool = False
    """Whether the run learns from several teachers (``--teacher_checkpoint`` paths or teachers manifests), each env
    labelled by its own."""

    @property
    def deployable(self) -> bool:
        """Whether the run trains a policy for the robot (so it must read only deployable observations)."""
        return self.name != "teacher"


RUN_KINDS: tuple[tuple[type, RunKind], ...] = (
    (FinetunePPO, RunKind("finetune", "actor", "student", True, "ppo")),
    (PPD, RunKind("ppd", "actor", "teacher", True, "ppd")),
    (MultiTeacherDAgger, RunKind("multi_teacher", "student", "teacher", True, "distillation", many_teachers=True)),
    (OfflineBC, RunKind("offline_bc", "student", "teacher", False, "distillation")),
    (Distillation, RunKind("distillation", "student", "teacher", True, "distillation")),
    (PPO, RunKind("teacher", "actor", None, False, "ppo")),
)
"""Algorithm class -> kind; the first class the cfg's algorithm is a subclass of decides (subclasses first)."""


def run_kind(agent_cfg) -> RunKind:
    """The kind of run an agent cfg describes, from its ``algorithm.class_name``."""
    name = str(agent_cfg.algorithm.class_name)  # Isaac Lab keeps "module:Class" strings as lazy ResolvableStrings
    try:
        algorithm = resolve_callable(name)
    except (ImportError, AttributeError, ValueError) as err:
        raise DistillLabError(f"unknown algorithm class_name '{name}' ({err}).") from None
    for cls, kind in RUN_KINDS:
        if isinstance(algorithm, type) and issubclass(algorithm, cls):
            return kind
    known = ", ".join(f"{c.__module__}:{c.__name__}" for c, _ in RUN_KINDS)
    raise DistillLabError(f"algorithm '{name}' is none of the kinds distill_lab runs: subclasses of {known}.")


def policy_groups(agent_cfg, obs_set: str, env_groups: list[str]) -> list[str]:
    """The obs groups an obs set reads, resolved as RSL-RL does (a missing set falls back to the group of its name,
    then to ``policy``); a clear error for a malformed entry such as the unquoted override ``[teacher]``."""
    groups = agent_cfg.obs_groups.get(obs_set)
    if groups is None:
        return [obs_set if obs_set in env_groups else "policy"]
    if isinstance(groups, str) or not all(isinstance(g, str) for g in groups):
        raise DistillLabError(
            f"agent.obs_groups.{obs_set} must be a list of obs group names, found {groups!r}. On the command line "
            f"quote the list: 'agent.obs_groups.{obs_set}=[\"policy\"]'."
        )
    return list(groups)


def check_policy_observations(env_cfg, agent_cfg) -> None:
    """Refuse a deployable policy (any kind but a teacher) whose obs groups hold a privileged term
    (``env_cfg.privileged_terms``), and obs groups the env does not have."""
    kind = run_kind(agent_cfg)
    env_groups = [g for g, cfg in vars(env_cfg.observations).items() if not g.startswith("_") and cfg is not None]
    for obs_set in agent_cfg.obs_groups:
        for group in policy_groups(agent_cfg, obs_set, env_groups):
            if group not in env_groups:
                raise DistillLabError(
                    f"agent.obs_groups.{obs_set} names obs group '{group}', which the env does not have; it has "
                    f"{', '.join(env_groups)}."
                )
    privileged = set(getattr(env_cfg, "privileged_terms", ()))
    if not kind.deployable or not privileged:
        return
    for group in policy_groups(agent_cfg, kind.policy_set, env_groups):
        terms = getattr(env_cfg.observations, group).to_dict()
        leaked = sorted(
            privileged & {name for name, term in terms.items() if isinstance(term, dict) and "func" in term}
        )
        if leaked:
            raise DistillLabError(
                f"the {kind.name} policy (obs set '{kind.policy_set}') reads obs group '{group}', which holds "
                f"privileged term(s) {', '.join(leaked)} that a deployed robot does not sense. Give it only deployable "
                f"groups, e.g. 'agent.obs_groups.{kind.policy_set}=[\"policy\"]'."
            )
