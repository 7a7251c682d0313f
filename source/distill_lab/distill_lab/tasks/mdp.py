"""MDP terms every task can use for multi-teacher distillation: which teacher labels each env, drawn at each reset,
with that teacher's training conditions (its vehicle, its ground friction...) loaded into the env."""

from __future__ import annotations

import torch
from isaaclab.envs import ManagerBasedRLEnv


def teacher_ids(env: ManagerBasedRLEnv) -> torch.Tensor:
    """Each env's assigned teacher (all 0 until :func:`assign_teachers` first runs)."""
    if not hasattr(env, "teacher_ids"):
        env.teacher_ids = torch.zeros(env.num_envs, dtype=torch.long, device=env.device)
    return env.teacher_ids


def assign_teachers(
    env: ManagerBasedRLEnv, env_ids: torch.Tensor | None, conditions: tuple[dict, ...], weights: tuple[float, ...]
) -> None:
    """Event (``reset``, after the task's own): draw a teacher for each env in ``env_ids`` with probabilities
    proportional to ``weights``, then load each teacher's ``conditions`` into its envs.

    ``conditions[k]`` maps an event term of the env to parameters teacher ``k`` was trained with (a number pins a
    range parameter to it, a pair is a range); the term is applied again to teacher ``k``'s envs with them.
    """
    ids = teacher_ids(env)
    if env_ids is None or isinstance(env_ids, slice):
        env_ids = torch.arange(env.num_envs, device=env.device)
    if len(weights) > 1:
        probs = torch.tensor(weights, dtype=torch.float, device=env.device)
        ids[env_ids] = torch.multinomial(probs, len(env_ids), replacement=True)
    for k, teacher_conditions in enumerate(conditions):
        mine = env_ids[ids[env_ids] == k]
        if len(mine) == 0:
            continue
        for term_name, params in teacher_conditions.items():
            term = env.event_manager.get_term_cfg(term_name)
            pinned = {p: (v, v) if isinstance(v, int | float) else tuple(v) for p, v in params.items()}
            term.func(env, mine, **{**term.params, **pinned})


def assigned_teacher(env: ManagerBasedRLEnv) -> torch.Tensor:
    """Observation: each env's teacher index, shape ``(num_envs, 1)``."""
    return teacher_ids(env).float().unsqueeze(-1)
