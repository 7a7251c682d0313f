"""One command's session with the simulator: Isaac Lab's ``launch_simulation`` (kit-less unless a cfg needs Kit), the
wrapped env, and the runner the agent cfg names."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import gymnasium as gym

from distill_lab.io import DistillLabError
from distill_lab.runners import FiniteCheckedVecEnv, make_runner

from .args import launcher_settings


@contextlib.contextmanager
def simulation(env_cfg, args=None) -> Iterator[None]:
    """Run the block inside ``launch_simulation``; a :class:`DistillLabError` leaves it as itself (one line, exit 2)
    instead of through the launcher's traceback."""
    from isaaclab.app import launch_simulation

    error = None
    with launch_simulation(env_cfg, launcher_settings(args, env_cfg.sim.device)):
        try:
            yield
        except DistillLabError as err:
            error = err
    if error is not None:
        raise error


@contextlib.contextmanager
def open_runner(task: str, env_cfg, agent_cfg, args=None, log_dir: str | None = None) -> Iterator[tuple]:
    """``(env, runner)`` inside the simulation: the task's env, wrapped for RSL-RL with a stop at the first NaN/Inf,
    and the runner ``agent_cfg.class_name`` names. The env is closed on the way out, whatever happened, so that the
    next command in this process can create one."""
    with simulation(env_cfg, args):
        env = FiniteCheckedVecEnv(gym.make(task, cfg=env_cfg), clip_actions=agent_cfg.clip_actions)
        try:
            yield env, make_runner(env, agent_cfg, log_dir)
        finally:
            env.close()
