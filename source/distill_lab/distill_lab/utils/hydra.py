"""``hydra_task_config``: the task-config decorator Isaac Lab 3.0 removed, rebuilt on ``isaaclab_tasks.utils``.

It loads a task's env and agent configs from the gym registry, applies Hydra-style ``env.*`` / ``agent.*``
overrides (and Isaac Lab presets) from the command line, and calls the wrapped function with both.
"""

from __future__ import annotations

import difflib
import functools
import sys
from collections.abc import Callable, Sequence

import gymnasium as gym

from .errors import DistillLabError


def task_entry_points(task_name: str) -> list[str]:
    """The ``*_cfg_entry_point`` keys a registered task offers; raise a clear error for an unknown task."""
    import distill_lab  # noqa: F401  (registers the project's tasks)

    try:
        spec = gym.spec(task_name)
    except gym.error.Error:
        known = sorted(gym.registry)
        close = difflib.get_close_matches(task_name, known, n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        ours = [t for t in known if gym.spec(t).kwargs.get("env_cfg_entry_point", "").startswith("distill_lab.")]
        raise DistillLabError(
            f"unknown task '{task_name}'.{hint} distill_lab tasks: {', '.join(ours)} (scripts/list_envs.py lists all)."
        ) from None
    return sorted(k for k in spec.kwargs if k.endswith("_cfg_entry_point"))


def resolve_configs(
    task_name: str, agent_entry_point: str | None, overrides: Sequence[str] = (), play: bool = False
) -> tuple[object, object]:
    """Load ``(env_cfg, agent_cfg)`` of a task with Hydra overrides applied; clear errors for bad names."""
    from isaaclab_tasks.utils import resolve_task_config

    entry_points = task_entry_points(task_name)
    if agent_entry_point is not None and agent_entry_point not in entry_points:
        agents = [e for e in entry_points if e not in ("env_cfg_entry_point", "play_env_cfg_entry_point")]
        raise DistillLabError(
            f"task '{task_name}' has no agent entry point '{agent_entry_point}'. Available: {', '.join(agents)}."
        )
    try:
        return resolve_task_config(task_name, agent_entry_point, play_mode=play, overrides=list(overrides))
    except (AttributeError, KeyError) as err:
        raise DistillLabError(f"bad config override in {list(overrides)}: {err}") from None


def hydra_task_config(task_name: str, agent_cfg_entry_point: str | None, play: bool = False) -> Callable:
    """Decorator: call ``func(env_cfg, agent_cfg, *args, **kwargs)`` with the task's configs.

    Overrides are the ``key=value`` arguments left in ``sys.argv`` (Hydra syntax), e.g.
    ``env.scene.num_envs=64 agent.max_iterations=10 presets=...``. With ``play=True`` the env config's
    ``play_mode()`` is applied first (few envs, no noise).
    """

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            overrides = [a for a in sys.argv[1:] if "=" in a and not a.startswith("-")]
            env_cfg, agent_cfg = resolve_configs(task_name, agent_cfg_entry_point, overrides, play=play)
            return func(env_cfg, agent_cfg, *args, **kwargs)

        return wrapper

    return decorator
