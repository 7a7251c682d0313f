"""The Newton side of a sim2sim check: the exported policy file itself (onnxruntime, not the checkpoint) played in
Isaac Lab on the nominal robot, with the second simulator's commands pinned (each env follows one velocity sequence,
or flies to the target it drew), the start states and commands recorded as an episodes file that MuJoCo replays
(``distill_lab.deploy``), and every episode summarized by the same function as MuJoCo's
(:func:`distill_lab.deploy.runner.summarize`), so that both columns of the table mean the same.
"""

from __future__ import annotations

import numpy as np
import torch
from isaaclab.envs.mdp.commands.velocity_command import UniformVelocityCommand

from distill_lab.deploy.commands import VelocitySequence
from distill_lab.deploy.policy import OnnxPolicy
from distill_lab.deploy.runner import summarize
from distill_lab.io import DistillLabError

from .rollout import rollout


class PinnedVelocityCommand(UniformVelocityCommand):
    """Isaac Lab's velocity command with each env's value pinned to a schedule (one row per control step of its
    episode) instead of sampled: ``vel_command_b`` is written at every reset and every command update, so that the
    observation after step t carries row t + 1, exactly as the MuJoCo runner's. Without a schedule it samples as
    usual."""

    schedule: torch.Tensor | None = None
    """(num_envs, steps, 3) lin x, lin y, yaw rate per env and control step, set by :meth:`pin`."""

    def pin(self, schedule: np.ndarray) -> None:
        """Follow ``schedule`` (num_envs, steps, 3) from the next reset on."""
        if schedule.shape[0] != self.num_envs:
            raise DistillLabError(f"expected one command schedule per env ({self.num_envs}), found {schedule.shape[0]}")
        self.schedule = torch.as_tensor(schedule, dtype=torch.float32, device=self.device)

    def _write(self, env_ids, steps) -> None:
        last = self.schedule.shape[1] - 1
        self.vel_command_b[env_ids] = self.schedule[env_ids, torch.clamp(steps, max=last)]

    def _resample_command(self, env_ids):
        if self.schedule is None:
            return super()._resample_command(env_ids)
        ids = torch.arange(self.num_envs, device=self.device)[env_ids]  # env_ids: indices or a slice
        self._write(ids, torch.zeros_like(ids))  # a reset starts the schedule over

    def _update_command(self):
        if self.schedule is None:
            return super()._update_command()
        ids = torch.arange(self.num_envs, device=self.device)
        self._write(ids, self._env.episode_length_buf.long())


class OnnxTorchPolicy:
    """An exported ``policy.onnx`` as an inference policy of :func:`~distill_lab.evaluation.rollout.rollout`: the
    obs groups it reads concatenated, actions as a tensor, its memory reset per env at dones."""

    def __init__(self, path: str, obs_groups: list[str], num_envs: int):
        self.onnx = OnnxPolicy(path, batch=num_envs)
        self.obs_groups = list(obs_groups)
        """The obs groups it reads, in order (the contract's ``obs_groups``)."""

    def __call__(self, obs) -> torch.Tensor:
        x = torch.cat([obs[g] for g in self.obs_groups], dim=-1).cpu().numpy()
        return torch.as_tensor(self.onnx(x))

    def reset(self, dones=None) -> None:
        """Zero the memory of the envs that are done (all when None)."""
        self.onnx.reset(None if dones is None else dones.bool().cpu().numpy())


def nominal_env_cfg(env_cfg, num_envs: int, steps: int, kind: str, command_name: str | None) -> None:
    """Fit ``env_cfg`` (a play-mode cfg) to a sim2sim run: ``num_envs`` envs, episodes longer than ``steps`` control
    steps (so that only terminations end them), the task's ``sim2sim.nominal_events`` applied (the nominal robot of
    the MJCF) and, for a velocity command, the command pinned (:class:`PinnedVelocityCommand`)."""
    env_cfg.scene.num_envs = num_envs
    env_cfg.episode_length_s = (steps + 2) * env_cfg.decimation * env_cfg.sim.dt
    sim2sim = getattr(env_cfg, "sim2sim", None)
    for name, params in (getattr(sim2sim, "nominal_events", None) or {}).items():
        if getattr(env_cfg.events, name, None) is None:
            continue
        if params is None:
            setattr(env_cfg.events, name, None)
        else:
            getattr(env_cfg.events, name).params.update(params)
    if kind == "velocity":
        command = getattr(env_cfg.commands, command_name)
        command.class_type = PinnedVelocityCommand
        command.resampling_time_range = (1.0e9, 1.0e9)
        command.debug_vis = False


def start_states(env) -> list[dict]:
    """Each env's state now in Isaac Lab's conventions (what :meth:`distill_lab.deploy.scene.MjRobot.set_state`
    takes): root link position relative to the env origin and (x, y, z, w) quaternion, root centre-of-mass linear
    and angular velocity in the world frame, joint names, positions and velocities."""
    unwrapped = env.unwrapped
    robot = unwrapped.scene["robot"]
    data = robot.data
    pos = (data.root_pos_w.torch - unwrapped.scene.env_origins).cpu().numpy()
    quat = data.root_quat_w.torch.cpu().numpy()
    lin, ang = data.root_lin_vel_w.torch.cpu().numpy(), data.root_ang_vel_w.torch.cpu().numpy()
    joints = hasattr(robot, "joint_names")
    states = []
    for i in range(unwrapped.num_envs):
        state = {"root_pos": pos[i].tolist(), "root_quat_xyzw": quat[i].tolist(), "root_lin_vel_w": lin[i].tolist(),
                 "root_ang_vel_w": ang[i].tolist()}  # fmt: skip
        if joints:
            state |= {"joint_names": list(robot.joint_names), "joint_pos": data.joint_pos.torch[i].tolist(),
                      "joint_vel": data.joint_vel.torch[i].tolist()}  # fmt: skip
        states.append(state)
    return states


HIDDEN_ACTION_STATE = ("rotor_speed",)
"""Action-term state an observation can read besides the robot's (the quadrotor's motor lag), copied at the frozen
instant."""


def frozen_instant(env, obs_groups: list[str], ids: list[int], names: list[str], t: int) -> list[dict]:
    """The state of envs ``ids`` now, with what their observation reads besides it (the last action, hidden
    action-term state) and Isaac Lab's observation term by term (``group/term``): what MuJoCo rebuilds from the same
    state to check its observation builder (``observation_parity`` in its report). ``t``: control steps since the
    reset (the command row the observation carries)."""
    unwrapped = env.unwrapped
    manager, actions = unwrapped.observation_manager, unwrapped.action_manager
    states = start_states(env)
    last = actions.action.cpu().numpy()
    terms = {}
    for group in obs_groups:
        values = torch.split(unwrapped.obs_buf[group], [int(np.prod(d)) for d in manager.group_obs_term_dim[group]], -1)
        for term, value in zip(manager.active_terms[group], values, strict=True):
            terms[f"{group}/{term}"] = value.cpu().numpy()
    hidden = {name: {key: getattr(actions.get_term(name), key).cpu().numpy() for key in HIDDEN_ACTION_STATE
                     if hasattr(actions.get_term(name), key)} for name in actions.active_terms}  # fmt: skip
    return [
        {
            "episode": names[i],
            "t": t,
            "state": states[i],
            "action": last[i].tolist(),
            "action_state": {
                name: {k: v[i].tolist() for k, v in keys.items()} for name, keys in hidden.items() if keys
            },
            "observation": {k: v[i].tolist() for k, v in terms.items()},
        }
        for i in ids
    ]


def newton_episodes(
    env,
    onnx_path: str,
    obs_groups: list[str],
    kind: str,
    command_name: str,
    sequences: list[VelocitySequence] | None,
    steps: int,
    seed: int,
    frozen_at: float = 0.5,
) -> tuple[list[dict], dict]:
    """Play the exported policy on every env of ``env`` (built with :func:`nominal_env_cfg`) for ``steps`` control
    steps after a reset with ``seed``: env i follows ``sequences[i]`` (velocity) or flies to the target it drew.
    Return one summary per env (:func:`~distill_lab.deploy.runner.summarize`) and the episodes file (start states
    and commands) for MuJoCo, with every env still running at ``frozen_at`` of the episode (default half way) copied at
    that instant
    (:func:`frozen_instant`, under ``frozen``) and, where it ran on, the next action and the state it led to (``next``
    of each instant: one control step of both simulators from the same state)."""
    unwrapped = env.unwrapped
    n, dt = unwrapped.num_envs, unwrapped.step_dt
    term = unwrapped.command_manager.get_term(command_name)
    if kind == "velocity":
        if len(sequences) != n:
            raise DistillLabError(f"expected one velocity sequence per env ({n}), found {len(sequences)}")
        schedule = np.stack([s.per_step(steps, dt) for s in sequences])
        term.pin(schedule)
    env.seed(seed)
    env.reset()
    origins = unwrapped.scene.env_origins
    states = start_states(env)
    targets = (term.command - origins).cpu().numpy() if kind == "target" else None
    names = [s.name for s in sequences] if kind == "velocity" else [f"target_{i}" for i in range(n)]
    episodes = {"steps": steps, "episodes": []}
    for i in range(n):
        commands = (
            {command_name: {"segments": [list(s) for s in sequences[i].segments]}}
            if kind == "velocity"
            else {command_name: targets[i].tolist()}
        )
        episodes["episodes"].append({"name": names[i], "start_state": states[i], "commands": commands})
    policy = OnnxTorchPolicy(onnx_path, obs_groups, n)
    rewards, terminations = unwrapped.reward_manager, unwrapped.termination_manager
    sums = [dict.fromkeys(rewards.active_terms, 0.0) for _ in range(n)]
    records = [{"command": [], "velocity": [], "position": [], "target": [], "speed": []} for _ in range(n)]
    ended: list[int | None] = [None] * n
    reasons: list[list[str]] = [[] for _ in range(n)]
    robot = unwrapped.scene["robot"]
    step = {"t": 0}
    frozen_at = min(max(1, int(round(steps * frozen_at))), steps - 1)

    def record(env, actions, dones) -> None:
        t = step["t"]
        data = robot.data
        weighted = (rewards._step_reward * dt).cpu().numpy()
        fired = terminations.terminated.cpu().numpy()
        velocity = torch.cat([data.root_lin_vel_b.torch[:, :2], data.root_ang_vel_b.torch[:, 2:]], dim=1).cpu().numpy()
        position = (data.root_pos_w.torch - origins).cpu().numpy()
        speed = torch.linalg.norm(data.root_lin_vel_w.torch, dim=1).cpu().numpy()
        for i in range(n):
            if ended[i] is not None:
                continue
            for k, name in enumerate(rewards.active_terms):
                sums[i][name] += float(weighted[i, k])
            if kind == "velocity":
                records[i]["command"].append(schedule[i, t])
                records[i]["velocity"].append(velocity[i])
            else:
                records[i]["position"].append(position[i])
                records[i]["target"].append(targets[i])
                records[i]["speed"].append(float(speed[i]))
            if fired[i]:
                ended[i] = t + 1
                reasons[i] = [name for name in terminations.active_terms if bool(terminations.get_term(name)[i])]
        step["t"] += 1
        if step["t"] == frozen_at:
            alive = [i for i in range(n) if ended[i] is None]
            episodes["frozen"] = frozen_instant(env, obs_groups, alive, names, frozen_at)
        elif step["t"] == frozen_at + 1:  # the step from the frozen instant: its action and the state it led to
            states, applied = start_states(env), actions.cpu().numpy()
            for instant in episodes.get("frozen", []):
                i = names.index(instant["episode"])
                if ended[i] is None:
                    instant["next"] = {"action": applied[i].tolist(), "state": states[i]}

    rollout(env, policy, steps, desc="sim2sim newton", on_step=record)
    success_cfg = {k: getattr(term.cfg, k) for k in ("success_distance", "success_speed") if hasattr(term.cfg, k)}
    summaries = []
    for i in range(n):
        summary = summarize(names[i], kind, records[i], sums[i], steps, ended[i], reasons[i], dt, success_cfg)
        summary["trace"] = {k: np.asarray(v).round(4).tolist() for k, v in records[i].items() if v}
        summaries.append(summary)
    return summaries, episodes
