"""DAgger aggregation buffer: rollouts of (student observation, teacher action, done) kept across iterations.

Data is stored as whole rollout chunks of shape (T, num_envs, ...) in a ring of ``capacity`` chunks on the
training device; the oldest chunk is evicted first. Samples are env-sequences (chunk, env) of length T, with the
student's recurrent state at the chunk's start, so recurrent students train with truncated BPTT and reset their
memory where an episode ended.
"""

from __future__ import annotations

import torch
from tensordict import TensorDict


class DAggerBuffer:
    """Ring buffer of rollout chunks for DAgger with aggregation."""

    def __init__(self, capacity: int, device: str):
        if capacity < 1:
            raise ValueError(f"DAgger buffer capacity must be >= 1 rollout, got {capacity}")
        self.capacity = capacity
        """Number of rollouts kept."""
        self.device = device
        self.chunks: list[dict] = []
        """Stored rollouts, oldest first."""
        self.num_added = 0
        """Rollouts added so far (including evicted ones)."""
        self._joined = None
        """The chunks side by side along the env axis (what :meth:`sample` indexes), made again after an add."""

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def num_transitions(self) -> int:
        """Transitions currently stored."""
        return sum(c["actions"].shape[0] * c["actions"].shape[1] for c in self.chunks)

    def add(self, obs: TensorDict, actions: torch.Tensor, dones: torch.Tensor, hidden=None) -> None:
        """Append one rollout: ``obs`` (T, N) student groups, teacher ``actions`` (T, N, A), ``dones`` (T, N)."""
        chunk = {
            "obs": obs.to(self.device).clone(),
            "actions": actions.to(self.device).clone(),
            "dones": dones.to(self.device).reshape(actions.shape[:2]).clone(),
            "hidden": map_hidden(hidden, lambda h: h.detach().clone()),
        }
        self.chunks.append(chunk)
        self.num_added += 1
        if len(self.chunks) > self.capacity:
            self.chunks.pop(0)
        self._joined = None

    def sample(self, num_sequences: int, generator: torch.Generator | None = None) -> dict:
        """``num_sequences`` env-sequences drawn uniformly (with replacement) from all stored (chunk, env) pairs.

        Returns ``obs`` (T, B), ``actions`` (T, B, A), ``dones`` (T, B) and ``hidden`` (the student's state at the
        start of each sequence, or None).
        """
        n_envs = self.chunks[0]["actions"].shape[1]
        flat = torch.randint(len(self.chunks) * n_envs, (num_sequences,), generator=generator, device="cpu")
        if self._joined is None:  # sequence (chunk c, env e) sits at c * n_envs + e
            self._joined = {
                "obs": torch.cat([c["obs"] for c in self.chunks], dim=1),
                "actions": torch.cat([c["actions"] for c in self.chunks], dim=1),
                "dones": torch.cat([c["dones"] for c in self.chunks], dim=1),
                "hidden": _cat_hidden([c["hidden"] for c in self.chunks]),
            }
        ids = flat.to(self.device)
        joined = self._joined
        return {
            "obs": joined["obs"][:, ids],
            "actions": joined["actions"][:, ids],
            "dones": joined["dones"][:, ids],
            "hidden": map_hidden(joined["hidden"], lambda h: h[:, ids]),
        }


def map_hidden(hidden, fn):
    """``fn`` applied to a recurrent state: a tensor (GRU), a tuple of tensors (LSTM) or None (feed-forward)."""
    if hidden is None:
        return None
    return tuple(fn(h) for h in hidden) if isinstance(hidden, tuple) else fn(hidden)


def _cat_hidden(parts):
    if parts[0] is None:
        return None
    if isinstance(parts[0], tuple):
        return tuple(torch.cat([p[i] for p in parts], dim=1) for i in range(len(parts[0])))
    return torch.cat(parts, dim=1)
