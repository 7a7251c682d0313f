"""Evaluate checkpoints on one env: each from the same seed and initial states, with a deterministic policy."""

from __future__ import annotations

from .checkpoints import load_checkpoint
from .rollout import RolloutResult, rollout


def evaluate_checkpoint(env, runner, checkpoint: str, num_steps: int, seed: int) -> RolloutResult:
    """Load ``checkpoint`` into ``runner``, reset ``env`` with ``seed`` and roll the policy out for ``num_steps``."""
    load_checkpoint(checkpoint)  # clear errors for missing, empty or corrupt files
    runner.load(checkpoint, map_location=runner.device)
    policy = runner.get_inference_policy(device=runner.device)
    env.seed(seed)
    env.reset()
    policy.reset()
    return rollout(env, policy, num_steps)
