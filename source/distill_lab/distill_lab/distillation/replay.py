"""Replay for offline behaviour cloning: uniform or prioritized (PER) sampling of dataset items, and the schedules
of the PER exponents alpha and beta.

Prioritized experience replay (Schaul et al., 2016) with a behaviour-cloning error instead of a TD error:

* item i has priority ``p_i = error_i + eps`` once drawn; before that 1, above typical errors, so each is drawn soon;
* it is drawn with probability ``P(i) = p_i^alpha / sum_k p_k^alpha`` (alpha = 0: uniform);
* its loss is weighted by ``w_i = (N * P(i))^-beta / max_k w_k``, the max over all N items, so weights are at most 1
  (beta = 1 fully corrects the bias of non-uniform sampling).

Sampling draws from the cumulative sum of all probabilities (O(N) per batch): at the dataset sizes used here (up to
tens of millions of items) that is fast enough, and no sum-tree is needed.
"""

from __future__ import annotations

import torch

SCHEDULE_KINDS = ("constant", "linear", "dynamic")
"""Supported schedule kinds of :func:`schedule_value`."""


class PrioritizedReplay:
    """Priorities of ``num_items`` dataset items, with proportional sampling and importance weights."""

    def __init__(self, num_items: int, eps: float = 1e-3, device: str = "cpu"):
        if num_items < 1:
            raise ValueError(f"prioritized replay needs at least one item, got {num_items}")
        self.eps = eps
        """Added to every error so that no item has zero probability."""
        self.priorities = torch.ones(num_items, device=device)
        """Priority of each item (1 until its first update)."""

    def __len__(self) -> int:
        return self.priorities.numel()

    def probabilities(self, alpha: float) -> torch.Tensor:
        """``P(i) = p_i^alpha / sum_k p_k^alpha`` for every item."""
        scaled = self.priorities.pow(alpha)
        return scaled / scaled.sum()

    def weights(self, ids: torch.Tensor, probs: torch.Tensor, beta: float) -> torch.Tensor:
        """Importance weights ``(N P(i))^-beta / max_k (N P(k))^-beta`` of the items ``ids``."""
        n = len(self)
        return (n * probs[ids]).pow(-beta) / (n * probs.min()).pow(-beta)

    def sample(
        self, batch_size: int, alpha: float, beta: float, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``batch_size`` item ids (with replacement) by priority; return ``(ids, importance weights)``."""
        probs = self.probabilities(alpha)
        # inverse-CDF sampling: like torch.multinomial, without its 2^24-item limit
        cdf = probs.double().cumsum(0)
        u = torch.rand(batch_size, generator=generator, dtype=torch.float64).to(cdf.device) * cdf[-1]
        ids = torch.searchsorted(cdf, u).clamp_(max=len(self) - 1)
        return ids, self.weights(ids, probs, beta)

    def update(self, ids: torch.Tensor, errors: torch.Tensor) -> None:
        """Set the priorities of ``ids`` to their new errors (plus ``eps``); a repeated id keeps its last error."""
        self.priorities[ids] = errors.detach().abs().to(self.priorities) + self.eps


class UniformReplay:
    """Uniform sampling with unit weights: the baseline PER is compared against."""

    def __init__(self, num_items: int, device: str = "cpu"):
        self.num_items = num_items
        """Number of dataset items."""
        self.device = device

    def __len__(self) -> int:
        return self.num_items

    def sample(self, batch_size: int, alpha: float = 0.0, beta: float = 0.0, generator=None):
        """Draw ``batch_size`` item ids uniformly (with replacement); weights are all 1."""
        ids = torch.randint(self.num_items, (batch_size,), generator=generator)
        return ids.to(self.device), torch.ones(batch_size, device=self.device)

    def update(self, ids: torch.Tensor, errors: torch.Tensor) -> None:
        """Uniform replay keeps no priorities."""


def schedule_value(schedule: dict, iteration: int, loss_ratio: float | None = None) -> float:
    """Value of a replay exponent at an offline iteration.

    Args:
        schedule: ``kind``, ``start``, ``end``, ``iterations`` (see
            :class:`~distill_lab.distillation.offline_cfg.ReplayScheduleCfg`).
        iteration: Completed offline iterations (0 for the first).
        loss_ratio: Latest mean loss divided by the first iteration's (``dynamic`` only; None before the first).

    * ``constant``: ``start``;
    * ``linear``: from ``start`` to ``end`` over ``iterations``, then ``end``;
    * ``dynamic``: from ``start`` to ``end`` as the loss falls: progress ``1 - loss_ratio`` clipped to [0, 1], so it
      reaches ``end`` when the loss has fallen to zero (half-way when it has halved).
    """
    kind, start, end = schedule["kind"], schedule["start"], schedule["end"]
    if kind == "constant":
        return start
    if kind == "linear":
        progress = min(1.0, iteration / schedule["iterations"]) if schedule["iterations"] > 0 else 1.0
    elif kind == "dynamic":
        progress = 0.0 if loss_ratio is None else min(1.0, max(0.0, 1.0 - loss_ratio))
    else:
        raise ValueError(f"unknown schedule kind '{kind}': expected one of {SCHEDULE_KINDS}")
    return start + (end - start) * progress
