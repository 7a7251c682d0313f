"""What every distill_lab task's env cfg shares: the privileged terms no student may read, a robustness sweep for
evaluation, and the play settings Isaac Lab applies with ``play_mode=True``."""

from __future__ import annotations

from isaaclab.envs import ManagerBasedRLEnvCfg
from isaaclab.utils import configclass


@configclass
class RobustnessSweepCfg:
    """One randomized parameter of a task, pinned to each of :attr:`values` in turn during evaluation."""

    label: str = ""
    """What is swept, with its unit, for plots and JSON (e.g. ``"mass [x nominal]"``)."""

    event: str = ""
    """Name of the event term that randomizes the parameter."""

    params: tuple[str, ...] = ()
    """The event term's range parameters, each set to ``(value, value)``."""

    values: tuple[float, ...] = ()
    """Values to evaluate at; include some outside :attr:`training_range` to see how the policy degrades."""

    training_range: tuple[float, float] = (0.0, 0.0)
    """The range the policies were trained on (for plots)."""


@configclass
class DistillLabEnvCfg(ManagerBasedRLEnvCfg):
    """A manager-based RL env with obs groups ``policy`` (what the robot senses), ``critic`` and ``teacher``
    (``policy`` plus privileged terms)."""

    privileged_terms: tuple[str, ...] = ()
    """Observation terms a deployed robot does not sense; every deployable policy reading one is refused
    (:func:`distill_lab.runners.check_policy_observations`)."""

    robustness_sweep: RobustnessSweepCfg = RobustnessSweepCfg()
    """The parameter ``evaluate.py --sweep`` pins to each of its values."""

    def play_mode(self):
        """Play settings (Isaac Lab applies them for ``play_mode=True``): 16 envs, no observation noise."""
        self.scene.num_envs = 16
        self.observations.policy.enable_corruption = False
