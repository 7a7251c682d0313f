"""Teacher-forcing schedule: the probability ``beta`` that the teacher, not the student, acts in an env."""

from __future__ import annotations


def teacher_beta(iteration: int, forcing_iterations: int, decay_iterations: int, final_beta: float = 0.0) -> float:
    """``beta`` at a learning iteration: 1 for the first ``forcing_iterations``, then linear to ``final_beta``.

    Args:
        iteration: Number of completed learning iterations (0 for the first rollout).
        forcing_iterations: Iterations in which the teacher always acts (pure behaviour cloning).
        decay_iterations: Iterations over which beta falls linearly from 1 to ``final_beta`` (0: a step).
        final_beta: Beta after the decay (0: the student always acts, i.e. on-policy DAgger).
    """
    if iteration < forcing_iterations:
        return 1.0
    if decay_iterations <= 0:
        return final_beta
    progress = min(1.0, (iteration - forcing_iterations + 1) / decay_iterations)
    return 1.0 + (final_beta - 1.0) * progress
