"""Quadcopter-Point-Ctrl in Isaac Lab's Direct workflow (``DirectRLEnv``), and as a one-agent ``DirectMARLEnv``.

One env class that steps the manager-based task's vehicle, motor model, target, randomization, observation, reward
and termination terms itself (the terms are the task's ``mdp`` functions, reading the few names they need from a
:class:`TaskView`). Its observations are the dict of groups ``policy``, ``critic`` and ``teacher``; the MARL variant
has one agent, ``quadrotor``, that sees ``policy``, and the privileged ``teacher`` group as its state (Isaac Lab's
single-agent conversion turns them into ``policy`` and ``critic``). They are the scripts' and methods' Direct path.
"""

from __future__ import annotations

import torch
from isaaclab.envs import DirectMARLEnv, DirectMARLEnvCfg, DirectRLEnv, DirectRLEnvCfg
from isaaclab.utils import configclass

from ..base import RobustnessSweepCfg
from .quadcopter_env_cfg import (
    PRIVILEGED_TERMS,
    CommandsCfg,
    EventCfg,
    ObservationsCfg,
    QuadcopterEnvCfg,
    QuadcopterSceneCfg,
    RewardsCfg,
    TerminationsCfg,
)


class TaskView:
    """What the task's ``mdp`` terms read from an env (its managers' lookups), answered by a Direct env's state."""

    def __init__(self, env):
        self.env, self.scene, self.sim, self.device, self.num_envs = env, env.scene, env.sim, env.device, env.num_envs
        self.action_manager = self.command_manager = self.termination_manager = self
        self.action = torch.zeros(env.num_envs, 4, device=env.device)
        self.prev_action = torch.zeros_like(self.action)
        self.terminated = torch.zeros(env.num_envs, dtype=torch.bool, device=env.device)
        self.time_outs = torch.zeros_like(self.terminated)
        self.motors = env.cfg.actions.motors.class_type(env.cfg.actions.motors, self.env)
        self.target = env.cfg.commands.target.class_type(env.cfg.commands.target, self)

    def __call__(self, term, *args) -> torch.Tensor:
        """Evaluate a term cfg on this view; a class-based term (Isaac Lab's ``ManagerTermBase``) is built once."""
        func = term.func
        if isinstance(func, type):
            func = self.__dict__.setdefault(f"term_{id(term)}", func(term, self))
        return func(self, *args, **term.params)

    def get_term(self, name: str):
        return self.motors

    def get_command(self, name: str) -> torch.Tensor:
        return self.target.command


def _group(view: TaskView, group) -> torch.Tensor:
    """An obs group's terms, concatenated, with their noise where the group is corrupted."""
    values = []
    for term in (t for t in vars(group).values() if hasattr(t, "func") and hasattr(t, "noise")):
        value = view(term)
        if group.enable_corruption and term.noise is not None:
            value = term.noise.func(value, term.noise)
        values.append(value)
    return torch.cat(values, dim=-1)


@configclass
class QuadcopterDirectEnvCfg(DirectRLEnvCfg):
    """The manager-based task's scene, physics and terms, in a Direct env cfg."""

    scene: QuadcopterSceneCfg = QuadcopterSceneCfg(num_envs=1024, env_spacing=4.0)
    actions: object = QuadcopterEnvCfg().actions
    """The motor action term (stepped by the env itself)."""
    commands: CommandsCfg = CommandsCfg()
    observations: ObservationsCfg = ObservationsCfg()
    randomization: EventCfg = EventCfg()
    """The task's reset events, applied by the env itself (``events`` would go to the Direct env's event manager)."""
    rewards: RewardsCfg = RewardsCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    privileged_terms: tuple[str, ...] = PRIVILEGED_TERMS
    """Observation terms a deployed student must not read."""
    robustness_sweep: RobustnessSweepCfg = QuadcopterEnvCfg().robustness_sweep
    """``evaluate.py --sweep``: the manager-based task's mass sweep, on :attr:`randomization`."""
    action_space: int = 4
    observation_space: int = 22
    state_space: int = 0

    def __post_init__(self):
        base = QuadcopterEnvCfg()
        self.sim, self.viewer, self.decimation, self.episode_length_s = base.sim, base.viewer, 2, 10.0

    def play_mode(self):
        """Play settings: 16 envs, no observation noise."""
        self.scene.num_envs = 16
        self.observations.policy.enable_corruption = False


class QuadcopterTask:
    """The task's stepping, shared by the Direct and the multi-agent env (put before their Isaac Lab base class)."""

    def __init__(self, cfg, render_mode: str | None = None, **kwargs):
        super().__init__(cfg, render_mode, **kwargs)
        self.view = TaskView(self)

    def _pre_physics_step(self, actions) -> None:
        actions = actions["quadrotor"] if isinstance(actions, dict) else actions
        self.view.prev_action[:] = self.view.action
        self.view.action[:] = actions
        self.view.motors.process_actions(actions)

    def _apply_action(self) -> None:
        self.view.motors.apply_actions()

    def _observe(self, *groups: str) -> dict[str, torch.Tensor]:
        self.view.target.compute(self.step_dt)
        return {name: _group(self.view, getattr(self.cfg.observations, name)) for name in groups}

    def _reward(self) -> torch.Tensor:
        terms = [t for t in vars(self.cfg.rewards).values() if hasattr(t, "weight")]
        return sum(self.view(t) * t.weight for t in terms) * self.step_dt

    def _done(self) -> tuple[torch.Tensor, torch.Tensor]:
        terms = [t for t in vars(self.cfg.terminations).values() if hasattr(t, "time_out") and not t.time_out]
        self.view.terminated[:] = torch.stack([self.view(t) for t in terms]).any(0)
        self.view.time_outs[:] = self.episode_length_buf >= self.max_episode_length - 1
        return self.view.terminated.clone(), self.view.time_outs.clone()

    def _reset_idx(self, env_ids: torch.Tensor | None) -> None:
        env_ids = torch.arange(self.num_envs, device=self.device) if env_ids is None else env_ids
        if hasattr(self, "view"):  # not at the first reset, during construction
            metrics = self.view.target.reset(env_ids)
            self.extras["log"] = {f"Metrics/target/{k}": v for k, v in metrics.items()}
            for term in (t for t in vars(self.cfg.randomization).values() if getattr(t, "mode", None) == "reset"):
                self.view(term, env_ids)
            self.view.motors.reset(env_ids)
            self.view.action[env_ids] = self.view.prev_action[env_ids] = 0.0
        super()._reset_idx(env_ids)


class QuadcopterDirectEnv(QuadcopterTask, DirectRLEnv):
    """Quadcopter-Point-Ctrl-Direct: observations ``policy``, ``critic`` and ``teacher``."""

    cfg: QuadcopterDirectEnvCfg

    def _get_observations(self) -> dict[str, torch.Tensor]:
        return self._observe("policy", "critic", "teacher")

    def _get_rewards(self) -> torch.Tensor:
        return self._reward()

    def _get_dones(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self._done()


@configclass
class QuadcopterMARLEnvCfg(QuadcopterDirectEnvCfg, DirectMARLEnvCfg):
    """One agent, ``quadrotor``, that sees ``policy``; the privileged ``teacher`` group is the env's state."""

    possible_agents: list[str] = ["quadrotor"]
    action_spaces: dict[str, int] = {"quadrotor": 4}
    observation_spaces: dict[str, int] = {"quadrotor": 22}
    state_space: int = 36


class QuadcopterMARLEnv(QuadcopterTask, DirectMARLEnv):
    """Quadcopter-Point-Ctrl-MARL: agent ``quadrotor`` observes ``policy``; the state is ``teacher``."""

    cfg: QuadcopterMARLEnvCfg

    def _get_observations(self) -> dict[str, torch.Tensor]:
        return {"quadrotor": self._observe("policy")["policy"]}

    def _get_states(self) -> torch.Tensor:
        return _group(self.view, self.cfg.observations.teacher)

    def _get_rewards(self) -> dict[str, torch.Tensor]:
        return {"quadrotor": self._reward()}

    def _get_dones(self) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        terminated, time_out = self._done()
        return {"quadrotor": terminated}, {"quadrotor": time_out}
