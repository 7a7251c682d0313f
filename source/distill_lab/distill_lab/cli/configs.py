"""A task's configs from the registry: ``hydra_task_config``, the decorator Isaac Lab 3.0 removed, rebuilt on
``isaaclab_tasks.utils.resolve_task_config``, with clear errors for an unknown task, agent or override."""

from __future__ import annotations

import argparse
import difflib
import functools
from collections.abc import Callable, Sequence

import gymnasium as gym

from distill_lab.io import DistillLabError

from .args import apply_args, check_overrides, parse


def distill_lab_tasks() -> dict[str, list[str]]:
    """The tasks distill_lab registers and the ``*_cfg_entry_point`` keys of each."""
    import distill_lab  # noqa: F401  (registers the project's tasks)

    return {
        task: sorted(k for k in spec.kwargs if k.endswith("_cfg_entry_point"))
        for task, spec in sorted(gym.registry.items())
        if str(spec.kwargs.get("env_cfg_entry_point", "")).startswith("distill_lab.")
    }


def task_entry_points(task_name: str) -> list[str]:
    """The ``*_cfg_entry_point`` keys a registered task offers; raise a clear error for an unknown task."""
    ours = distill_lab_tasks()
    try:
        spec = gym.spec(task_name)
    except gym.error.Error:
        close = difflib.get_close_matches(task_name, list(gym.registry), n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise DistillLabError(
            f"unknown task '{task_name}'.{hint} distill_lab tasks: {', '.join(ours)} (scripts/list_envs.py lists all)."
        ) from None
    return sorted(k for k in spec.kwargs if k.endswith("_cfg_entry_point"))


def resolve_configs(
    task_name: str, agent_entry_point: str | None, overrides: Sequence[str] = (), play: bool = False
) -> tuple[object, object]:
    """Load ``(env_cfg, agent_cfg)`` of a task with Hydra overrides applied; clear errors for bad names.

    With ``play=True`` Isaac Lab applies the env cfg's ``play_mode()`` (few envs, no noise).
    """
    from isaaclab_tasks.utils import resolve_task_config

    entry_points = task_entry_points(task_name)
    if agent_entry_point is not None and agent_entry_point not in entry_points:
        agents = [e for e in entry_points if e != "env_cfg_entry_point"]
        raise DistillLabError(
            f"task '{task_name}' has no agent entry point '{agent_entry_point}'. Available: {', '.join(agents)}."
        )
    try:
        return resolve_task_config(task_name, agent_entry_point, play_mode=play, overrides=list(overrides))
    except (AttributeError, KeyError, ValueError) as err:
        raise DistillLabError(f"bad config override in {list(overrides)}: {err}") from None


def hydra_task_config(parser: argparse.ArgumentParser, play: bool = False) -> Callable:
    """Decorator: ``func(env_cfg, agent_cfg, args, overrides)`` becomes a command ``main(argv=None)``.

    ``main`` parses ``argv`` (default: ``sys.argv[1:]``) with ``parser``, loads ``--task``'s configs for ``--agent``
    with the Hydra overrides (``env.scene.num_envs=64 agent.max_iterations=10 presets=...``) applied, writes the flags
    into them and calls ``func``; it returns what ``func`` returns.
    """

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def main(argv: Sequence[str] | None = None):
            args, overrides = parse(parser, argv)
            check_overrides(args, overrides)
            env_cfg, agent_cfg = resolve_configs(args.task, args.agent, overrides, play=play)
            apply_args(env_cfg, agent_cfg, args)
            return func(env_cfg, agent_cfg, args, overrides)

        return main

    return decorator
