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


def single_agent(env):
    """Isaac Lab's conversion of a multi-agent env to one agent acting for all (``policy``: the agents' observations
    side by side), with the env's state as the ``critic`` group, which the conversion leaves out."""
    from isaaclab.envs import multi_agent_to_single_agent

    env = multi_agent_to_single_agent(env)

    class WithState(type(env)):
        def _convert_observations(self, obs):
            return {**super()._convert_observations(obs), "critic": self.env.state()}

    env.__class__ = WithState
    return env


@contextlib.contextmanager
def open_runner(task: str, env_cfg, agent_cfg, args=None, log_dir: str | None = None) -> Iterator[tuple]:
    """``(env, runner)`` inside the simulation: the task's env (a multi-agent one converted to one agent), wrapped
    for RSL-RL with a stop at the first NaN/Inf, and the runner ``agent_cfg.class_name`` names. The env is closed on
    the way out, whatever happened, so that the next command in this process can create one."""
    from isaaclab.envs import DirectMARLEnvCfg

    with simulation(env_cfg, args):
        try:
            env = gym.make(task, cfg=env_cfg)
        except ValueError as err:  # Isaac Lab's name matching (isaaclab.utils.string.resolve_matching_names)
            from isaaclab.sim import SimulationContext

            SimulationContext.clear_instance()  # the half-built env's simulation, so that the next command can start
            if "regular expressions are matched" not in str(err):
                raise
            found = " ".join(str(err).split()).replace("Please check that the regular expressions are correct: ", "")
            raise DistillLabError(f"the task names joints or bodies that the robot does not have: {found}") from None
        if isinstance(env_cfg, DirectMARLEnvCfg):
            env = single_agent(env)
        env = FiniteCheckedVecEnv(env, clip_actions=agent_cfg.clip_actions)
        try:
            yield env, make_runner(env, agent_cfg, log_dir)
        finally:
            env.close()
