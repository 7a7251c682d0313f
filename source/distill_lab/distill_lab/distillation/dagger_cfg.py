"""Config of :class:`~distill_lab.distillation.dagger.DAgger`: every knob with its unit, default and trade-off."""

from __future__ import annotations

from typing import Literal

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlDistillationAlgorithmCfg


@configclass
class DAggerAlgorithmCfg(RslRlDistillationAlgorithmCfg):
    """DAgger with teacher forcing, aggregation and distribution losses (a superset of RSL-RL's Distillation cfg).

    The defaults are the base DAgger settings that every DAgger-based entry point starts from: 10 teacher-forced
    iterations, beta decaying over 20, a 4-rollout buffer, 2 epochs of 4 minibatches (8 updates per iteration), a fixed
    learning rate of 1e-3, MSE. With ``teacher_forcing_iterations=0``, ``beta_decay_iterations=0`` and
    ``buffer_capacity=1`` it is on-policy DAgger like stock ``Distillation``, with minibatch updates and a teacher that
    keeps its memory.
    """

    class_name: str = "distill_lab.distillation.dagger:DAgger"
    """The algorithm class."""

    num_learning_epochs: int = 2
    """Passes over the buffer per iteration, each of :attr:`num_mini_batches` gradient steps. Default 2."""

    learning_rate: float = 1.0e-3
    """Adam's learning rate (the first one of a ``linear`` schedule). Default 1e-3."""

    max_grad_norm: float | None = 1.0
    """Gradient norm clip [1]; None: no clipping. Default 1."""

    teacher_forcing_iterations: int = 10
    """Iterations [learning iterations] in which the teacher always acts (pure behaviour cloning on the teacher's
    state distribution). More: a stable start for weak students; fewer: earlier on-policy correction. Default 10."""

    beta_decay_iterations: int = 20
    """Iterations over which beta (teacher-acts probability) falls linearly from 1 to :attr:`final_beta` after
    forcing. 0 switches at once. Default 20."""

    final_beta: float = 0.0
    """Beta after the decay [probability]. 0 is pure on-policy DAgger. Default 0."""

    beta_mixing: Literal["per_env", "per_step"] = "per_env"
    """``per_env``: an env follows one policy for a whole episode (coherent trajectories); ``per_step``: redrawn
    every step (more state coverage near the student's distribution). Default ``per_env``."""

    buffer_capacity: int = 4
    """Rollouts [num_steps_per_env x num_envs transitions each] kept for aggregation. 1 is no aggregation; more reuses
    older (student-visited) states at the cost of memory and staleness. Default 4."""

    num_mini_batches: int = 4
    """Gradient steps per epoch; each samples ``capacity_used * num_envs / num_mini_batches`` env-sequences (at most
    ``num_envs``) of length ``num_steps_per_env``. Default 4."""

    gradient_length: int = 24
    """Truncated backpropagation through time for a recurrent student [env steps]: its memory is detached at the end of
    each window of this many steps of a training sequence, so no gradient flows further back. A sequence is one
    rollout (``num_steps_per_env`` steps); a window that long backpropagates through all of it. Default 24."""

    loss_type: Literal["mse", "huber", "kl", "nll"] = "mse"
    """``mse`` / ``huber`` on the mean action; ``kl`` = KL(teacher || student) of the Gaussians; ``nll`` = negative
    log-likelihood of the teacher's action under the student. ``kl``/``nll`` also train the student's std.
    Default ``mse``."""

    learning_rate_schedule: Literal["fixed", "linear"] = "fixed"
    """``fixed``: :attr:`learning_rate` throughout; ``linear``: it falls linearly from :attr:`learning_rate` at the
    run's first iteration to :attr:`final_learning_rate` at its last (train.py's ``--max_iterations``, counted from
    the start of training, also across ``--resume``). Default ``fixed``."""

    final_learning_rate: float = 1.0e-4
    """Learning rate at the end of a ``linear`` schedule. Smaller: finer last steps. Default 1e-4."""

    learning_rate_decay_fraction: float = 1.0
    """The last fraction of the run over which a ``linear`` schedule falls; before it the rate stays at
    :attr:`learning_rate`. 1: the whole run; 1/3: fixed for two thirds, then down. Default 1."""

    asynchronous: bool = False
    """Collect and learn at the same time (:mod:`~distill_lab.distillation.asynchronous`): an iteration's gradient
    steps run in a worker thread while the envs collect the next rollout with a copy of the student, refreshed before
    every env step from the learner's newest weights. Same labels (the teacher's) and updates per iteration; the envs
    act with weights up to :attr:`max_staleness` updates old; ``Loss/behavior`` is logged one iteration late (the last
    iteration's is not logged); runs are not bit-for-bit repeatable (thread timing decides which weights act). A save
    waits for the steps in flight (checkpoints hold whole iterations), so with ``save_interval=1`` nothing overlaps.
    One process only. False: collect, then learn (deterministic). Default False."""

    max_staleness: int = 8
    """With :attr:`asynchronous`: the most gradient updates [updates] the learner may complete while the envs act with
    one copy of the student; the learner waits for the next env step's refresh rather than go further. Logged as
    ``Loss/staleness`` (mean per env step) and ``Loss/staleness_max``, and in each manifest entry (``staleness``). 0:
    the envs wait for the learner before each rollout, which learns exactly as a synchronous run (no overlap). Default
    8."""


DAGGER_BEST = DAggerAlgorithmCfg(
    buffer_capacity=8,
    num_learning_epochs=1,
    num_mini_batches=32,
    learning_rate=2.0e-3,
    teacher_forcing_iterations=2,
    beta_decay_iterations=8,
    learning_rate_schedule="linear",
    learning_rate_decay_fraction=0.5,
    asynchronous=True,
)
"""The settings of ``rsl_rl_dagger_cfg_entry_point``, the fastest measured on Quadcopter-Point-Ctrl in wall time to 95 %
of the teacher's return (``bench/distill_methods.py``, ``dagger_lean``): an 8-rollout buffer sampled in 32
minibatches (32 updates per iteration on 128 env-sequences each: as many sequence passes as stock with 8 epochs),
a learning rate of 2e-3 falling to 1e-4 over the second half of the run, the teacher forcing 2 iterations and handing
over within 8 more (not 10 and 20), learning while the envs collect (:attr:`~DAggerAlgorithmCfg.asynchronous`;
``agent.algorithm.asynchronous=false`` for a deterministic run). Its learner keeps pace with the envs on two cores.
Twice the updates at 1e-3 (``dagger_fast``) reach 95 % in fewer env steps but more wall time; the replay settings
(``dagger_replay_async``, :data:`DAGGER_REPLAY`) end as high but reach 95 % later."""

DAGGER_REPLAY = DAggerAlgorithmCfg(buffer_capacity=8, num_learning_epochs=4, num_mini_batches=8, asynchronous=True)
"""The settings of ``rsl_rl_dagger_tiny_cfg_entry_point``: the base settings with an 8-rollout buffer and 4 epochs of
8 minibatches (32 updates per iteration on 512 env-sequences), learning while the envs collect; what the small students
were measured with (``bench/frontier.py``, ``bench/progressive.py``; synchronously)."""


@configclass
class MultiTeacherDAggerAlgorithmCfg(DAggerAlgorithmCfg):
    """DAgger from many teachers (:class:`~distill_lab.distillation.multi_teacher.MultiTeacherDAgger`): each env is
    labelled, and while forcing driven, by the teacher the env assigned to it."""

    class_name: str = "distill_lab.distillation.multi_teacher:MultiTeacherDAgger"
    """The algorithm class."""

    num_teachers: int = 1
    """Number of teachers; ``train.py`` sets it from ``--teacher_checkpoint`` (paths or a teachers manifest)."""


@configclass
class FeatureDAggerAlgorithmCfg(DAggerAlgorithmCfg):
    """DAgger plus feature matching (:class:`~distill_lab.distillation.feature.FeatureDAgger`)."""

    class_name: str = "distill_lab.distillation.feature:FeatureDAgger"
    """The algorithm class."""

    student_layers: list[str] = ["last_hidden"]
    """Student layers whose outputs are matched (module names such as ``mlp.3``, or ``last_hidden``: the activation
    before the output layer). Default ``last_hidden``."""

    teacher_layers: list[str] = ["last_hidden"]
    """The teacher layers they are matched to, pair by pair. Default ``last_hidden``."""

    feature_coef: float = 1.0
    """Weight of the feature loss against the action loss [1]. More: a stronger pull to the teacher's
    representation; 0 is plain DAgger. Default 1."""

    feature_decay_iterations: int = 0
    """Iterations over which the weight falls linearly to 0 (0: constant). Default 0."""

    feature_loss: Literal["l2", "cosine"] = "l2"
    """``l2``: mean squared error of the projected student features and the teacher's; ``cosine``: 1 - cosine
    similarity (scale-free). Default ``l2``."""

    project: bool = True
    """Pass the student's features through a learned linear projection to the teacher's width. False: compare them
    as they are (the widths must be equal). Default True."""


@configclass
class LatentDAggerAlgorithmCfg(FeatureDAggerAlgorithmCfg):
    """DAgger plus latent matching: the student's estimator against the teacher's privileged encoder
    (:class:`~distill_lab.distillation.latent.LatentDAgger`)."""

    class_name: str = "distill_lab.distillation.latent:LatentDAgger"
    """The algorithm class."""

    student_layers: list[str] = ["estimator"]
    """The student's estimate of the encoding."""

    teacher_layers: list[str] = ["encoder"]
    """The teacher's encoding of its privileged terms."""

    project: bool = False
    """The estimate is compared with the encoding directly (no projection)."""

    head: Literal["own", "teacher"] = "own"
    """``own``: the student's head learns (from the action loss); ``teacher``: it is the teacher's head, frozen, and
    only the memory and the estimator learn (RMA's adaptation phase). Default ``own``."""
