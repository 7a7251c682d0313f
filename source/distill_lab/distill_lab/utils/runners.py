"""Runner selection: ``agent_cfg.class_name`` -> an RSL-RL runner (or one of the project's own)."""

from __future__ import annotations

import importlib.metadata

from isaaclab.utils import to_dict
from isaaclab_rl.rsl_rl import handle_deprecated_rsl_rl_cfg
from rsl_rl.runners import OnPolicyRunner

from distill_lab.distillation.runners import DistillLabDistillationRunner, DistillLabOnPolicyRunner

from .errors import DistillLabError

RUNNERS: dict[str, type[OnPolicyRunner]] = {
    "OnPolicyRunner": DistillLabOnPolicyRunner,
    "DistillationRunner": DistillLabDistillationRunner,
    "DistillLabOnPolicyRunner": DistillLabOnPolicyRunner,
    "DistillLabDistillationRunner": DistillLabDistillationRunner,
}
"""Runner classes by the name an agent cfg gives in ``class_name``. RSL-RL's names get the project's subclasses:
the same training and checkpoint format, plus atomic saves, a manifest and exact resume
(:mod:`distill_lab.distillation.runners`)."""


def is_distillation(agent_cfg) -> bool:
    """Whether the agent cfg distills a student from a teacher (it has ``student`` and ``teacher`` models)."""
    return hasattr(agent_cfg, "student") and hasattr(agent_cfg, "teacher")


def make_runner(env, agent_cfg, log_dir: str | None) -> OnPolicyRunner:
    """Build the runner named by ``agent_cfg.class_name`` (a name in :data:`RUNNERS`, or ``"module:Class"``) on a
    wrapped env (``log_dir=None``: no logging)."""
    runner_cls = RUNNERS.get(agent_cfg.class_name)
    if runner_cls is None and ":" in agent_cfg.class_name:
        from rsl_rl.utils import resolve_callable

        runner_cls = resolve_callable(agent_cfg.class_name)
    if runner_cls is None:
        raise DistillLabError(f"unknown runner class_name '{agent_cfg.class_name}'. Known: {', '.join(RUNNERS)}.")
    agent_cfg = handle_deprecated_rsl_rl_cfg(agent_cfg, importlib.metadata.version("rsl-rl-lib"))
    return runner_cls(env, to_dict(agent_cfg), log_dir=log_dir, device=agent_cfg.device)


def check_student_observations(env_cfg, agent_cfg) -> None:
    """Refuse a distillation cfg whose student reads a privileged term (one of ``env_cfg.privileged_terms``)."""
    privileged = set(getattr(env_cfg, "privileged_terms", ()))
    if not is_distillation(agent_cfg) or not privileged:
        return
    for group in agent_cfg.obs_groups.get("student", ["policy"]):
        group_cfg = getattr(env_cfg.observations, group, None)
        if group_cfg is None:
            known = [g for g in vars(env_cfg.observations) if not g.startswith("_")]
            raise DistillLabError(f"student obs group '{group}' does not exist; the env has {', '.join(known)}.")
        terms = {name for name, term in group_cfg.to_dict().items() if isinstance(term, dict) and "func" in term}
        leaked = sorted(terms & privileged)
        if leaked:
            raise DistillLabError(
                f"student obs group '{group}' contains privileged term(s) {', '.join(leaked)}, which a deployed robot "
                "does not sense. Give the student only deployable groups (e.g. obs_groups.student=['policy'])."
            )
