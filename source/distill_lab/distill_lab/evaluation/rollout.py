"""Roll a policy out on a wrapped env and summarize episodes: return, length and the task's ``Metrics/*``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from tqdm import trange


@dataclass
class RolloutResult:
    """What a rollout measured, averaged over the episodes that ended during it."""

    episodes: int = 0
    """Number of finished episodes."""
    mean_return: float = float("nan")
    """Mean undiscounted episode return."""
    mean_length: float = float("nan")
    """Mean episode length [steps]."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Episode-end task metrics (e.g. ``success_rate``, ``final_distance``), averaged over episodes."""
    trace: dict[str, torch.Tensor] = field(default_factory=dict)
    """Env 0's flat policy observations, actions and dones per step (for export parity checks), and what it tracks
    (see :func:`tracking`)."""

    def as_dict(self) -> dict:
        """JSON-friendly summary (no trace)."""
        return {
            "episodes": self.episodes,
            "mean_return": self.mean_return,
            "mean_length": self.mean_length,
            **self.metrics,
        }


def tracking(env) -> dict[str, torch.Tensor]:
    """What env 0 tracks, to plot against time: position vs. target point, or base velocity vs. velocity command."""
    unwrapped = env.unwrapped
    if not hasattr(unwrapped, "command_manager"):  # a Direct env: its commands are its own
        return {}
    commands = unwrapped.command_manager.active_terms
    robot = unwrapped.scene["robot"]
    if "target" in commands:
        origin = unwrapped.scene.env_origins[0]
        target = unwrapped.command_manager.get_command("target")[0] - origin
        return {"position": robot.data.root_pos_w.torch[0] - origin, "target": target}
    if "base_velocity" in commands:
        velocity = torch.cat([robot.data.root_lin_vel_b.torch[0, :2], robot.data.root_ang_vel_b.torch[0, 2:]])
        return {"velocity": velocity, "command": unwrapped.command_manager.get_command("base_velocity")[0]}
    return {}


def flat_obs(policy, obs) -> torch.Tensor:
    """The policy's input as one tensor: its obs groups concatenated, as the exported policy expects."""
    return torch.cat([obs[g] for g in policy.obs_groups], dim=-1)


@torch.inference_mode()
def rollout(
    env, policy, num_steps: int, reference=None, desc: str = "rollout", on_step: Callable | None = None
) -> RolloutResult:
    """Run ``policy`` (deterministic) for ``num_steps`` on an ``RslRlVecEnvWrapper``; reset its memory at dones.

    A ``reference`` policy (the teacher of a student) labels every visited state without acting; the metrics then
    gain ``action_mae`` and ``action_rmse``, the student's action error along its own trajectory. ``on_step(env,
    actions, dones)`` is called after every env step (what a caller records per env). A progress bar labelled
    ``desc`` shows on stderr.
    """
    n = env.num_envs
    ep_return = torch.zeros(n, device=env.device)
    ep_len = torch.zeros(n, device=env.device)
    returns, lengths, metric_sums, trace = [], [], {}, {"obs": [], "actions": [], "dones": []}
    sq_err = abs_err = 0.0
    obs = env.get_observations()
    for _ in trange(num_steps, desc=desc, unit="step", file=sys.stderr, mininterval=2.0, leave=False):
        actions = policy(obs)
        if reference is not None:
            diff = actions - reference(obs)
            abs_err += diff.abs().mean().item()
            sq_err += diff.square().mean().item()
        for key, value in tracking(env).items():
            trace.setdefault(key, []).append(value.cpu().clone())
        trace["obs"].append(flat_obs(policy, obs)[0].cpu().clone())
        trace["actions"].append(actions[0].cpu().clone())
        obs, rew, dones, extras = env.step(actions)
        if on_step is not None:
            on_step(env, actions, dones)
        policy.reset(dones)
        if reference is not None:
            reference.reset(dones)
        trace["dones"].append(dones[0].cpu().clone())
        ep_return += rew
        ep_len += 1
        done_ids = dones.nonzero().flatten()
        if len(done_ids):
            returns += ep_return[done_ids].tolist()
            lengths += ep_len[done_ids].tolist()
            ep_return[done_ids] = 0
            ep_len[done_ids] = 0
            for key, value in extras.get("log", {}).items():
                if key.startswith("Metrics/"):
                    metric_sums[key.split("/")[-1]] = metric_sums.get(key.split("/")[-1], 0.0) + float(value) * len(
                        done_ids
                    )
    result = RolloutResult(trace={k: torch.stack(v) for k, v in trace.items()})
    if returns:
        result.episodes = len(returns)
        result.mean_return = sum(returns) / len(returns)
        result.mean_length = sum(lengths) / len(lengths)
        result.metrics = {k: v / len(returns) for k, v in metric_sums.items()}
    if reference is not None:
        result.metrics |= {"action_mae": abs_err / num_steps, "action_rmse": (sq_err / num_steps) ** 0.5}
    return result
