"""Runners: what a run is (:mod:`.kinds`), RSL-RL's runners with the project's checkpointing, manifests and exact
resume (:mod:`.runner`, :mod:`.checkpointing`, :mod:`.snapshot`), the non-finite guard, and upstream workarounds."""

from .guards import FiniteCheckedVecEnv, NonFiniteError  # noqa: F401
from .kinds import RunKind, check_policy_observations, policy_groups, run_kind  # noqa: F401
from .runner import RUNNERS, make_runner  # noqa: F401
