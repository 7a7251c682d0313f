"""A task's configs from the registry: ``hydra_task_config``, the decorator Isaac Lab 3.0 removed, rebuilt on
``isaaclab_tasks.utils.resolve_task_config``, with clear errors for an unknown task, agent or override."""

from __future__ import annotations

import argparse
import copy
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
    task_name: str,
    agent_entry_point: str | None,
    overrides: Sequence[str] = (),
    play: bool = False,
    keep: Sequence[str] = (),
) -> tuple[object, object]:
    """Load ``(env_cfg, agent_cfg)`` of a task with Hydra overrides applied; clear errors for bad names.

    With ``play=True`` the env cfg's ``play_mode()`` (Isaac Lab's play settings: few envs, no noise, no pushes) applies
    under the user's ``env.*`` overrides and the env cfg paths in ``keep`` (e.g. ``observations.policy.
    enable_corruption``): each keeps the value it had before play mode, and a term play mode removed comes back with it.
    A noise override in an obs group whose noise is off is refused.
    """
    from isaaclab_tasks.utils import resolve_task_config

    entry_points = task_entry_points(task_name)
    if agent_entry_point is not None and agent_entry_point not in entry_points:
        agents = [e for e in entry_points if e != "env_cfg_entry_point"]
        raise DistillLabError(
            f"task '{task_name}' has no agent entry point '{agent_entry_point}'. Available: {', '.join(agents)}."
        )
    try:
        env_cfg, agent_cfg = resolve_task_config(task_name, agent_entry_point, overrides=list(overrides))
    except (AttributeError, KeyError, ValueError) as err:
        raise DistillLabError(f"bad config override in {list(overrides)}: {err}") from None
    paths = [
        o.split("=", 1)[0].lstrip("+~").removeprefix("env.") for o in overrides if o.lstrip("+~").startswith("env.")
    ]
    if play and hasattr(env_cfg, "play_mode"):
        before = copy.deepcopy(env_cfg)
        env_cfg.play_mode()
        for group in _obs_groups(env_cfg):  # Isaac Lab's walks the declared groups only, not the ladder's teacher
            getattr(env_cfg.observations, group).enable_corruption = False
        for path in [*paths, *_expand(before, keep)]:
            _restore(env_cfg, before, path.split("."))
    _check_noise_overrides(env_cfg, paths)
    return env_cfg, agent_cfg


def _obs_groups(cfg) -> list[str]:
    """Names of ``cfg``'s obs groups, declared or added after (the ladder's ``teacher``)."""
    return [g for g, v in vars(cfg.observations).items() if hasattr(v, "enable_corruption")]


def _expand(cfg, paths: Sequence[str]) -> list[str]:
    """``paths`` with ``observations.*.x`` expanded to every obs group of ``cfg`` that has ``x``."""
    groups = _obs_groups(cfg)
    found = []
    for path in paths:
        head, _, tail = path.partition(".*.")
        if not tail:
            found.append(path)
        elif head == "observations":
            found += [f"observations.{g}.{tail}" for g in groups if hasattr(getattr(cfg.observations, g), tail)]
    return found


def _restore(cfg, before, path: list[str]) -> None:
    """Set ``cfg``'s value at ``path`` to ``before``'s; where an object on the way is gone (None), bring it back."""
    get = lambda obj, key: obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)  # noqa: E731
    for i, key in enumerate(path):
        now, then = get(cfg, key), get(before, key)
        if i == len(path) - 1 or now is None or then is None:
            if isinstance(cfg, dict):
                cfg[key] = copy.deepcopy(then)
            else:
                setattr(cfg, key, copy.deepcopy(then))
            return
        cfg, before = now, then


def _check_noise_overrides(env_cfg, paths: list[str]) -> None:
    """Refuse an override of an observation term's noise in an obs group whose noise is off: it would change nothing."""
    for path in paths:
        parts = path.split(".")
        if len(parts) > 3 and parts[0] == "observations" and parts[3] == "noise":
            group = getattr(env_cfg.observations, parts[1], None)
            if group is not None and not group.enable_corruption:
                raise DistillLabError(
                    f"env.{path} has no effect: observation noise is off in obs group '{parts[1]}' (play mode turns "
                    "it off; evaluate.py keeps it unless --no_noise). Add "
                    f"env.observations.{parts[1]}.enable_corruption=true."
                )


def hydra_task_config(parser: argparse.ArgumentParser, play: bool = False, keep=None) -> Callable:
    """Decorator: ``func(env_cfg, agent_cfg, args, overrides)`` becomes a command ``main(argv=None)``.

    ``main`` parses ``argv`` (default: ``sys.argv[1:]``) with ``parser``, loads ``--task``'s configs for ``--agent``
    with the Hydra overrides (``env.scene.num_envs=64 agent.max_iterations=10 presets=...``) applied, writes the flags
    into them and calls ``func``; it returns what ``func`` returns. ``play`` applies the play settings, and ``keep``
    (a function of the parsed flags) names the env cfg paths that keep their training value under them
    (:func:`resolve_configs`).
    """

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def main(argv: Sequence[str] | None = None):
            args, overrides = parse(parser, argv)
            check_overrides(args, overrides)
            kept = keep(args) if keep is not None else ()
            env_cfg, agent_cfg = resolve_configs(args.task, args.agent, overrides, play=play, keep=kept)
            apply_args(env_cfg, agent_cfg, args)
            return func(env_cfg, agent_cfg, args, overrides)

        return main

    return decorator
