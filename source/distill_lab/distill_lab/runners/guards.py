"""Stop training at the first non-finite action, observation or reward, and say where it appeared; count env steps
and the time they take."""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from isaaclab_rl.rsl_rl import RslRlVecEnvWrapper

from distill_lab.distillation.perf import PerfCounters


class NonFiniteError(FloatingPointError):
    """A NaN or Inf reached the env or came out of it; the message names the step, envs and obs term."""


class FiniteCheckedVecEnv(RslRlVecEnvWrapper):
    """``RslRlVecEnvWrapper`` that raises :class:`NonFiniteError` on a NaN/Inf action, observation or reward."""

    steps = 0
    """Env steps taken through this wrapper."""
    last_obs = None
    """The observations the last step returned (part of a run's resume state)."""
    pending_obs = None
    """Observations restored by an exact resume, returned once by :meth:`get_observations` instead of new ones."""
    progress = None
    """A progress bar (``tqdm``) advanced by ``num_envs`` at every step, or None."""
    perf: PerfCounters | None = None
    """Where the env's own step time (physics, managers, resets; not the checks) is added as ``env_step``, or None.
    The runner that steps this env sets it."""

    def get_observations(self):
        if self.pending_obs is None:
            return super().get_observations()
        obs, self.pending_obs = self.pending_obs, None
        return obs

    def step(self, actions: torch.Tensor):
        self.steps += 1
        _check(actions, f"action from the policy at env step {self.steps}")
        with self.perf.timing("env_step") if self.perf is not None else contextlib.nullcontext():
            obs, rew, dones, extras = super().step(actions)
        for group in obs.keys():
            bad = ~torch.isfinite(obs[group])
            if bad.any():
                raise NonFiniteError(
                    f"non-finite (NaN/Inf) observation at env step {self.steps}: group '{group}', "
                    f"term '{self._term_at(group, int(bad.nonzero()[0, -1]))}', envs {_envs(bad)}."
                )
        _check(rew, f"reward at env step {self.steps}")
        self.last_obs = obs
        if self.progress is not None:
            self.progress.update(self.num_envs)
        return obs, rew, dones, extras

    def _term_at(self, group: str, column: int) -> str:
        """The observation term that fills ``column`` of a concatenated group (its column in a Direct env)."""
        manager = getattr(self.unwrapped, "observation_manager", None)
        if manager is None:
            return f"column {column}"
        ends = np.cumsum([int(np.prod(d)) for d in manager.group_obs_term_dim[group]])
        return manager.active_terms[group][int(np.searchsorted(ends, column, side="right"))]


def _envs(bad: torch.Tensor) -> list[int]:
    rows = bad.reshape(bad.shape[0], -1).any(dim=1).nonzero().flatten().tolist()
    return rows[:8] + (["..."] if len(rows) > 8 else [])


def _check(values: torch.Tensor, what: str) -> None:
    bad = ~torch.isfinite(values)
    if bad.any():
        raise NonFiniteError(f"non-finite (NaN/Inf) {what}, envs {_envs(bad)}.")
