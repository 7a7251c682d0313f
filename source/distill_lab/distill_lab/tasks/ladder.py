"""The method ladder: every agent cfg a task registers (each ``*_cfg_entry_point``), defined once for all tasks.

A task declares its models and PPO settings in a :class:`TaskAgents`. Each method of :class:`TaskAgents` named in
:data:`METHODS` is one rung: a factory that returns that entry point's runner cfg (``TaskAgents.dagger`` is
``rsl_rl_dagger_cfg_entry_point``). :func:`entry_points` binds them to a task for ``gym.register``; Isaac Lab's
``load_cfg_from_registry`` calls the bound factory, so Hydra overrides and Isaac Lab's own CLI work as with config
classes. A new method is one factory and one row of :data:`METHODS`.

Every cfg keeps RSL-RL's runner names (``OnPolicyRunner``, ``DistillationRunner``) and picks its algorithm with
``algorithm.class_name``, so Isaac Lab's own CLI runs every entry point too.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass
from types import MethodType

from isaaclab.managers import ObservationTermCfg
from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import (
    RslRlDistillationAlgorithmCfg,
    RslRlDistillationRunnerCfg,
    RslRlMLPModelCfg,
    RslRlOnPolicyRunnerCfg,
    RslRlPpoAlgorithmCfg,
    RslRlRNNModelCfg,
)

from distill_lab.distillation import (
    DAGGER_BEST,
    DAGGER_REPLAY,
    DAggerAlgorithmCfg,
    FeatureDAggerAlgorithmCfg,
    FinetuneAlgorithmCfg,
    LatentDAggerAlgorithmCfg,
    LatentMLPModelCfg,
    LatentRNNModelCfg,
    MultiTeacherDAggerAlgorithmCfg,
    OfflineBCAlgorithmCfg,
    PPDAlgorithmCfg,
)
from distill_lab.io import DistillLabError


@configclass
class PPDRunnerCfg(RslRlOnPolicyRunnerCfg):
    """PPO runner cfg with a frozen teacher model next to the student (``actor``) and the critic."""

    teacher: RslRlMLPModelCfg = MISSING
    """The frozen teacher; it must equal the PPO teacher's actor so its checkpoint loads."""


@configclass
class LatentRunnerCfg(RslRlDistillationRunnerCfg):
    """Distillation runner cfg whose teacher is the latent teacher (a PPO run of another entry point)."""

    teacher_agent: str = "rsl_rl_latent_teacher_cfg_entry_point"
    """The teacher's entry point: its runs (``--load_run``) and its shipped checkpoint (``pretrained``)."""


@configclass
class FinetuneRunnerCfg(RslRlOnPolicyRunnerCfg):
    """PPO runner cfg whose actor starts as a distilled student."""

    student_experiment_name: str = MISSING
    """Experiment whose runs ``--load_run`` / ``--checkpoint`` take the student from (or give ``--checkpoint PATH``)."""


PPO_DEFAULTS = RslRlPpoAlgorithmCfg(
    value_loss_coef=1.0,
    use_clipped_value_loss=True,
    clip_param=0.2,
    entropy_coef=0.01,
    num_learning_epochs=5,
    num_mini_batches=4,
    learning_rate=1.0e-3,
    schedule="adaptive",
    gamma=0.99,
    lam=0.95,
    desired_kl=0.01,
    max_grad_norm=1.0,
)
"""The teachers' PPO settings (Isaac Lab's locomotion ones); a task changes what it needs with ``.replace()``."""

STOCK_DISTILLATION = RslRlDistillationAlgorithmCfg(
    num_learning_epochs=2, learning_rate=1.0e-3, gradient_length=24, max_grad_norm=1.0, loss_type="mse"
)
"""RSL-RL's ``Distillation`` settings of the stock entry points."""

COMMON = {"seed": 42, "device": "cpu", "num_steps_per_env": 24}
"""Fields every cfg of the ladder shares: seed 42, the CPU (``--device`` changes it), 24 env steps per iteration."""


def mlp(hidden_dims: list[int], init_std: float | None = None) -> RslRlMLPModelCfg:
    """An ELU MLP with observation normalization; with ``init_std``, a Gaussian policy of that initial std."""
    dist = None if init_std is None else RslRlMLPModelCfg.GaussianDistributionCfg(init_std=init_std)
    return RslRlMLPModelCfg(hidden_dims=hidden_dims, activation="elu", obs_normalization=True, distribution_cfg=dist)


def rnn(rnn_type: str, rnn_hidden_dim: int, hidden_dims: list[int], init_std: float = 0.1) -> RslRlRNNModelCfg:
    """A one-layer GRU or LSTM, then an ELU MLP, with observation normalization and a Gaussian policy."""
    return RslRlRNNModelCfg(
        hidden_dims=hidden_dims,
        activation="elu",
        obs_normalization=True,
        rnn_type=rnn_type,
        rnn_hidden_dim=rnn_hidden_dim,
        rnn_num_layers=1,
        distribution_cfg=RslRlRNNModelCfg.GaussianDistributionCfg(init_std=init_std),
    )


def from_ppo(cfg_class: type, ppo: RslRlPpoAlgorithmCfg, **changes):
    """A ``cfg_class`` (a PPO-based algorithm cfg) with the teacher's PPO settings, except ``changes``."""
    fields = {k: v for k, v in ppo.to_dict().items() if k != "class_name"}
    return cfg_class(**{**fields, **changes})


@dataclass(repr=False)
class TaskAgents:
    """What a task declares; each method named in :data:`METHODS` makes one entry point's runner cfg from it."""

    experiment: str
    """The PPO teacher's experiment folder name; each method appends its own suffix."""
    teacher: RslRlMLPModelCfg
    """The teacher actor (reads the privileged ``teacher`` group). Every distillation cfg's teacher equals it, so a
    PPO checkpoint loads as the teacher."""
    critic: RslRlMLPModelCfg
    """The critic (reads ``critic``) of the teacher, PPD and fine-tuning."""
    ppo: RslRlPpoAlgorithmCfg
    """The teacher's PPO settings; PPD and fine-tuning derive theirs from them."""
    student: RslRlRNNModelCfg
    """The recurrent student (reads the deployable ``policy`` group)."""
    student_mlp: RslRlMLPModelCfg
    """A feed-forward student, to show what memory buys."""
    teacher_iterations: int
    """PPO iterations of the teacher."""
    distill_iterations: int
    """Iterations of stock distillation, DAgger and PPD."""
    distill_save_interval: int
    """Iterations between checkpoints of distillation runs."""
    ppd_init_std: float
    """Initial action std of the PPD student (it explores with it)."""
    tiny_student: RslRlRNNModelCfg | None = None
    """A microcontroller-sized student (``rsl_rl_dagger_tiny_cfg_entry_point``), if the task has one."""
    teacher_group: str = "teacher"
    """The env's obs group of the teacher (policy terms plus privileged ones); ``critic`` where the env has no
    ``teacher`` group (a multi-agent env converted to one agent has ``policy`` and ``critic`` only)."""
    common: dict = dataclasses.field(default_factory=lambda: dict(COMMON))
    """Fields every cfg of the task shares (:data:`COMMON`, or a foreign task's own PPO runner's)."""
    teacher_save_interval: int = 50
    """Iterations between the PPO teacher's checkpoints."""

    def __repr__(self) -> str:  # Isaac Lab prints the entry point: <bound method TaskAgents.dagger of TaskAgents(...)>
        return f"TaskAgents({self.experiment!r})"

    def _runner(self, cfg_class: type, suffix: str, **fields):
        """A ``cfg_class`` runner cfg with the shared fields and the experiment ``<experiment><suffix>``; its own copy
        of every value (Hydra overrides change the cfg in place)."""
        return cfg_class(**self.common, experiment_name=self.experiment + suffix, **copy.deepcopy(fields))

    def _student_of(self, suffix: str, student, algorithm, iterations: int | None = None, cfg_class: type = None):
        """A runner cfg that distills ``student`` (reading ``policy``) from the PPO teacher with ``algorithm``."""
        return self._runner(
            cfg_class or RslRlDistillationRunnerCfg,
            suffix,
            max_iterations=iterations or self.distill_iterations,
            save_interval=self.distill_save_interval,
            obs_groups={"student": ["policy"], "teacher": [self.teacher_group]},
            student=student,
            teacher=self.teacher,
            algorithm=algorithm,
        )

    def latent_teacher_model(self) -> LatentMLPModelCfg:
        """The task's teacher actor with its privileged terms encoded into 8 numbers."""
        m = self.teacher
        return LatentMLPModelCfg(
            hidden_dims=m.hidden_dims,
            activation=m.activation,
            obs_normalization=m.obs_normalization,
            distribution_cfg=m.distribution_cfg,
        )

    def ppo_teacher(self) -> RslRlOnPolicyRunnerCfg:
        """PPO teacher; its actor reads the 'teacher' group."""
        return self._runner(
            RslRlOnPolicyRunnerCfg,
            "",
            max_iterations=self.teacher_iterations,
            save_interval=self.teacher_save_interval,
            actor=self.teacher,
            critic=self.critic,
            obs_groups={"actor": [self.teacher_group], "critic": ["critic"]},
            algorithm=self.ppo,
        )

    def distillation(self) -> RslRlDistillationRunnerCfg:
        """Recurrent student distilled with RSL-RL's Distillation (stock)."""
        return self._student_of("_distillation", self.student, STOCK_DISTILLATION)

    def distillation_mlp(self) -> RslRlDistillationRunnerCfg:
        """Feed-forward student distilled with RSL-RL's Distillation, to show what memory buys."""
        return self._student_of("_distillation_mlp", self.student_mlp, STOCK_DISTILLATION)

    def dagger(self) -> RslRlDistillationRunnerCfg:
        """Recurrent student trained with DAgger: 2 teacher-forced iterations, beta decay over 8, an 8-rollout buffer
        sampled in 32 updates per iteration at a learning rate of 2e-3, learning while the envs collect
        (:data:`~distill_lab.distillation.DAGGER_BEST`)."""
        return self._student_of("_dagger", self.student, DAGGER_BEST)

    def dagger_mlp(self) -> RslRlDistillationRunnerCfg:
        """Feed-forward student trained with the base DAgger settings."""
        return self._student_of("_dagger_mlp", self.student_mlp, DAggerAlgorithmCfg())

    def dagger_tiny(self) -> RslRlDistillationRunnerCfg | None:
        """Microcontroller-sized recurrent student (RAPTOR-sized) trained with the DAgger settings the small students
        were measured with (:data:`~distill_lab.distillation.DAGGER_REPLAY`); None for a task without a tiny
        student."""
        if self.tiny_student is None:
            return None
        return self._student_of("_dagger_tiny", self.tiny_student, DAGGER_REPLAY)

    def multi_teacher(self) -> RslRlDistillationRunnerCfg:
        """Recurrent student trained with DAgger from many teachers, each env labelled by its own (RAPTOR-style)."""
        return self._student_of("_multi_teacher", self.student, MultiTeacherDAggerAlgorithmCfg())

    def feature(self) -> RslRlDistillationRunnerCfg:
        """Recurrent student trained with DAgger plus matching of the teacher's last hidden layer (feature
        matching)."""
        return self._student_of("_feature", self.student, FeatureDAggerAlgorithmCfg())

    def latent_teacher(self) -> RslRlOnPolicyRunnerCfg:
        """PPO teacher whose privileged terms pass through an encoder into an 8-number latent (RMA-style)."""
        cfg = self.ppo_teacher()
        cfg.actor = self.latent_teacher_model()
        cfg.experiment_name = self.experiment + "_latent_teacher"
        return cfg

    def latent(self) -> LatentRunnerCfg:
        """Recurrent student that estimates the latent teacher's encoding from its history (latent matching +
        DAgger)."""
        s = self.student
        student = LatentRNNModelCfg(
            hidden_dims=s.hidden_dims,
            activation=s.activation,
            rnn_type=s.rnn_type,
            obs_normalization=s.obs_normalization,
            rnn_hidden_dim=s.rnn_hidden_dim,
            rnn_num_layers=s.rnn_num_layers,
            distribution_cfg=s.distribution_cfg,
        )
        cfg = self._student_of("_latent", student, LatentDAggerAlgorithmCfg(), cfg_class=LatentRunnerCfg)
        cfg.teacher = self.latent_teacher_model()
        return cfg

    def bc(self) -> RslRlDistillationRunnerCfg:
        """Recurrent student cloned offline from a teacher dataset (train.py --dataset, recorded by collect.py)."""
        return self._student_of("_bc", self.student, OfflineBCAlgorithmCfg(), iterations=200)

    def ppd(self) -> PPDRunnerCfg:
        """Recurrent student trained by PPO with a KL pull to the frozen teacher (PPD)."""
        actor = self.student.replace(
            distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=self.ppd_init_std)
        )
        # a fixed learning rate: PPO's adaptive one reads the KL pull as a too-large step and falls to its 1e-5 floor
        algorithm = from_ppo(PPDAlgorithmCfg, self.ppo, entropy_coef=0.0, schedule="fixed", kl_coef=1.0)
        return self._runner(
            PPDRunnerCfg,
            "_ppd",
            max_iterations=self.distill_iterations,
            save_interval=50,
            actor=actor,
            critic=self.critic,
            teacher=self.teacher,
            algorithm=algorithm,
            obs_groups={"actor": ["policy"], "critic": ["critic"], "teacher": [self.teacher_group]},
        )

    def finetune(self) -> FinetuneRunnerCfg:
        """PPO fine-tuning of the DAgger student, after a critic warm-up."""
        algorithm = from_ppo(
            FinetuneAlgorithmCfg,
            self.ppo,
            learning_rate=3.0e-4,
            entropy_coef=0.0,
            desired_kl=0.005,
            critic_warmup_iterations=20,
        )
        return self._runner(
            FinetuneRunnerCfg,
            "_finetune",
            max_iterations=100,
            save_interval=25,
            actor=self.student,
            critic=self.critic,
            algorithm=algorithm,
            obs_groups={"actor": ["policy"], "critic": ["critic"]},
            student_experiment_name=f"{self.experiment}_dagger",
        )


METHODS: dict[str, Callable[[TaskAgents], object]] = {
    "rsl_rl_cfg_entry_point": TaskAgents.ppo_teacher,
    "rsl_rl_distillation_cfg_entry_point": TaskAgents.distillation,
    "rsl_rl_distillation_mlp_cfg_entry_point": TaskAgents.distillation_mlp,
    "rsl_rl_dagger_cfg_entry_point": TaskAgents.dagger,
    "rsl_rl_dagger_mlp_cfg_entry_point": TaskAgents.dagger_mlp,
    "rsl_rl_dagger_tiny_cfg_entry_point": TaskAgents.dagger_tiny,
    "rsl_rl_multi_teacher_cfg_entry_point": TaskAgents.multi_teacher,
    "rsl_rl_feature_cfg_entry_point": TaskAgents.feature,
    "rsl_rl_latent_teacher_cfg_entry_point": TaskAgents.latent_teacher,
    "rsl_rl_latent_cfg_entry_point": TaskAgents.latent,
    "rsl_rl_bc_cfg_entry_point": TaskAgents.bc,
    "rsl_rl_ppd_cfg_entry_point": TaskAgents.ppd,
    "rsl_rl_finetune_cfg_entry_point": TaskAgents.finetune,
}
"""Entry point key -> the :class:`TaskAgents` method that makes its runner cfg; the order is the registry's."""


def entry_points(agents: TaskAgents) -> dict[str, Callable]:
    """The ``*_cfg_entry_point`` kwargs of ``gym.register`` for a task: each rung the task has (a method that returns
    None is a rung it lacks), bound to ``agents``."""
    return {key: MethodType(method, agents) for key, method in METHODS.items() if method(agents) is not None}


@dataclass(repr=False)
class ForeignTask:
    """A registered task that distill_lab did not write, seen with the obs groups the ladder reads (see
    :func:`register_ladder`)."""

    task: str
    """Its gym ID."""
    privileged_terms: tuple[str, ...]
    """The terms of its policy group that a deployed robot does not sense."""
    policy_group: str = "policy"
    """Its obs group of the policy's observations (Isaac Lab's convention: ``policy``)."""
    robustness_sweep: object | None = None
    """A :class:`~distill_lab.tasks.base.RobustnessSweepCfg` for ``evaluate.py --sweep`` and the pipeline, if any."""

    def __repr__(self) -> str:  # Isaac Lab prints the entry point
        return f"ForeignTask({self.task!r})"

    def env_cfg(self):
        """The task's env cfg with the ladder's obs groups: ``teacher`` (its policy group as it was), ``policy`` (the
        same without the privileged terms: what the student reads), ``critic`` (its own, else the teacher's terms), and
        ``privileged_terms`` for the guard. A name that is not a term of the policy group is refused."""
        from isaaclab_tasks.utils import load_cfg_from_registry

        cfg = load_cfg_from_registry(self.task, "env_cfg_entry_point")
        groups = {g: v for g, v in vars(cfg.observations).items() if not g.startswith("_") and v is not None}
        if self.policy_group not in groups:
            raise DistillLabError(
                f"task '{self.task}' has no obs group '{self.policy_group}' to split into teacher and student; it has "
                f"{', '.join(groups)}."
            )
        policy = groups[self.policy_group]
        terms = [t for t, v in vars(policy).items() if isinstance(v, ObservationTermCfg)]
        unknown = [t for t in self.privileged_terms if t not in terms]
        if unknown:
            raise DistillLabError(
                f"privileged term(s) {', '.join(unknown)} are not terms of task '{self.task}''s obs group "
                f"'{self.policy_group}'; its terms are {', '.join(terms)}."
            )
        cfg.observations.teacher = copy.deepcopy(policy)
        if "critic" not in groups:
            cfg.observations.critic = copy.deepcopy(policy)
        for term in self.privileged_terms:
            setattr(policy, term, None)
        if self.policy_group != "policy":
            cfg.observations.policy = policy
        cfg.privileged_terms = tuple(self.privileged_terms)
        if self.robustness_sweep is not None:
            cfg.robustness_sweep = copy.deepcopy(self.robustness_sweep)
        return cfg


def foreign_agents(task: str, student: RslRlRNNModelCfg | None = None, distill_iterations: int = 300) -> TaskAgents:
    """The :class:`TaskAgents` of a registered task from its PPO runner cfg (``rsl_rl_cfg_entry_point``): its actor is
    the teacher (now reading ``teacher``), its critic, PPO settings, budget, experiment name and run settings; the
    student is ``student`` (default: an LSTM of 128 units, then ELU layers of 128 and 64, as blind_rl's)."""
    from isaaclab_tasks.utils import load_cfg_from_registry

    ppo = load_cfg_from_registry(task, "rsl_rl_cfg_entry_point")
    init_std = getattr(ppo.actor.distribution_cfg, "init_std", 1.0)
    common = {k: getattr(ppo, k) for k in ("seed", "device", "num_steps_per_env", "clip_actions", "logger")}
    return TaskAgents(
        experiment=ppo.experiment_name,
        teacher=ppo.actor,
        critic=ppo.critic,
        ppo=ppo.algorithm,
        student=student or rnn("lstm", 128, [128, 64]),
        student_mlp=mlp(list(ppo.actor.hidden_dims), init_std=0.1),
        teacher_iterations=ppo.max_iterations,
        distill_iterations=distill_iterations,
        distill_save_interval=50,
        ppd_init_std=init_std / 2,
        common=common,
        teacher_save_interval=ppo.save_interval,
    )


def register_ladder(
    task: str,
    privileged_terms: Sequence[str],
    id: str | None = None,
    student: RslRlRNNModelCfg | None = None,
    policy_group: str = "policy",
    robustness_sweep=None,
) -> str:
    """Give a registered task that distill_lab did not write (a gym ID with an ``env_cfg_entry_point`` and an
    ``rsl_rl_cfg_entry_point``) every method of the ladder: registers gym ID ``id`` (default ``<task>-Distill``) with
    the task's env, its obs groups split by :meth:`ForeignTask.env_cfg` (the teacher reads the task's policy group as
    it was, the student the same without ``privileged_terms``), and every ``*_cfg_entry_point`` of :data:`METHODS`
    made from the task's PPO cfg (:func:`foreign_agents`); ``robustness_sweep`` (a
    :class:`~distill_lab.tasks.base.RobustnessSweepCfg`) gives evaluation a parameter to sweep. Return ``id``. The task
    itself stays as it was."""
    import gymnasium as gym
    import isaaclab_tasks  # noqa: F401  (registers Isaac Lab's own tasks)

    try:
        spec = gym.spec(task)
    except gym.error.Error as err:
        raise DistillLabError(f"register_ladder: no task '{task}' is registered ({err}).") from None
    missing = [k for k in ("env_cfg_entry_point", "rsl_rl_cfg_entry_point") if k not in spec.kwargs]
    if missing:
        raise DistillLabError(f"task '{task}' has no {' and no '.join(missing)}; the ladder starts from both.")
    id = id or f"{task}-Distill"
    foreign = ForeignTask(task, tuple(privileged_terms), policy_group, robustness_sweep)
    kwargs = {k: v for k, v in spec.kwargs.items() if not k.endswith("_cfg_entry_point")}  # other libraries' go
    kwargs["env_cfg_entry_point"] = foreign.env_cfg
    kwargs |= entry_points(foreign_agents(task, student))
    gym.register(id=id, entry_point=spec.entry_point, disable_env_checker=True, kwargs=kwargs)
    return id
