"""The method ladder: every agent cfg a task registers (each ``*_cfg_entry_point``), defined once for all tasks.

A task declares its models and PPO settings in a :class:`TaskAgents`; :func:`build_ladder` makes one runner cfg class
per method in :data:`METHODS` (named ``<prefix><Method>RunnerCfg``, placed in the task's agents module so that the
registry's ``"module:Class"`` strings resolve) and returns the entry points for ``gym.register``. A new method adds
one line to :data:`METHODS`.

Every cfg keeps RSL-RL's runner names (``OnPolicyRunner``, ``DistillationRunner``) and picks its algorithm with
``algorithm.class_name``, so Isaac Lab's own CLI runs every entry point too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass

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
    DAGGER_DEFAULTS,
    OFFLINE_BC_DEFAULTS,
    FeatureDAggerAlgorithmCfg,
    FinetuneAlgorithmCfg,
    LatentDAggerAlgorithmCfg,
    LatentMLPModelCfg,
    LatentRNNModelCfg,
    MultiTeacherDAggerAlgorithmCfg,
    PPDAlgorithmCfg,
)


@dataclass
class TaskAgents:
    """What a task declares; the ladder builds every method's runner cfg from it."""

    prefix: str
    """Class-name prefix of the generated cfgs, e.g. ``Quadcopter`` -> ``QuadcopterDAggerRunnerCfg``."""
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
    value_loss_coef=1.0, use_clipped_value_loss=True, clip_param=0.2, entropy_coef=0.01, num_learning_epochs=5,
    num_mini_batches=4, learning_rate=1.0e-3, schedule="adaptive", gamma=0.99, lam=0.95, desired_kl=0.01,
    max_grad_norm=1.0,
)  # fmt: skip
"""The teachers' PPO settings (Isaac Lab's locomotion ones); a task changes what it needs with ``.replace()``."""


def mlp(hidden_dims: list[int], init_std: float | None = None) -> RslRlMLPModelCfg:
    """An ELU MLP with observation normalization; with ``init_std``, a Gaussian policy of that initial std."""
    dist = None if init_std is None else RslRlMLPModelCfg.GaussianDistributionCfg(init_std=init_std)
    return RslRlMLPModelCfg(hidden_dims=hidden_dims, activation="elu", obs_normalization=True, distribution_cfg=dist)


def rnn(rnn_type: str, rnn_hidden_dim: int, hidden_dims: list[int], init_std: float = 0.1) -> RslRlRNNModelCfg:
    """A one-layer GRU or LSTM, then an ELU MLP, with observation normalization and a Gaussian policy."""
    return RslRlRNNModelCfg(
        hidden_dims=hidden_dims, activation="elu", obs_normalization=True, rnn_type=rnn_type,
        rnn_hidden_dim=rnn_hidden_dim, rnn_num_layers=1,
        distribution_cfg=RslRlRNNModelCfg.GaussianDistributionCfg(init_std=init_std),
    )  # fmt: skip


STOCK_DISTILLATION = RslRlDistillationAlgorithmCfg(
    num_learning_epochs=2, learning_rate=1.0e-3, gradient_length=24, max_grad_norm=1.0, loss_type="mse"
)
"""RSL-RL's ``Distillation`` settings of the stock entry points."""


def from_ppo(cfg_class: type, ppo: RslRlPpoAlgorithmCfg, **changes):
    """A ``cfg_class`` (a PPO-based algorithm cfg) with the teacher's PPO settings, except ``changes``."""
    fields = {k: v for k, v in ppo.to_dict().items() if k != "class_name"}
    return cfg_class(**{**fields, **changes})


def from_dagger(cfg_class: type):
    """A ``cfg_class`` (a DAgger-based algorithm cfg) with the tasks' DAgger settings."""
    return cfg_class(**{k: v for k, v in DAGGER_DEFAULTS.to_dict().items() if k != "class_name"})


@dataclass(frozen=True)
class Method:
    """One rung of the ladder."""

    name: str
    """Class-name part (``DAgger`` -> ``<prefix>DAggerRunnerCfg``)."""
    suffix: str
    """Appended to the task's experiment name."""
    build: Callable[[TaskAgents], tuple[type, dict] | None]
    """The runner cfg base class and its field values for a task, or None when the task lacks what it needs."""
    doc: str
    """The generated class's docstring."""


def _teacher(t: TaskAgents) -> tuple[type, dict]:
    return RslRlOnPolicyRunnerCfg, {
        "max_iterations": t.teacher_iterations, "save_interval": 50, "actor": t.teacher, "critic": t.critic,
        "obs_groups": {"actor": [t.teacher_group], "critic": ["critic"]}, "algorithm": t.ppo,
    }  # fmt: skip


def _distill(t: TaskAgents, student, algorithm, iterations: int | None = None) -> tuple[type, dict] | None:
    if student is None:
        return None
    return RslRlDistillationRunnerCfg, {
        "max_iterations": iterations or t.distill_iterations, "save_interval": t.distill_save_interval,
        "obs_groups": {"student": ["policy"], "teacher": [t.teacher_group]}, "student": student, "teacher": t.teacher,
        "algorithm": algorithm,
    }  # fmt: skip


def latent_teacher(t: TaskAgents) -> LatentMLPModelCfg:
    """The task's teacher actor with its privileged terms encoded into 8 numbers."""
    m = t.teacher
    return LatentMLPModelCfg(hidden_dims=m.hidden_dims, activation=m.activation, obs_normalization=m.obs_normalization,
                             distribution_cfg=m.distribution_cfg)  # fmt: skip


def _latent_teacher(t: TaskAgents) -> tuple[type, dict]:
    cls, fields = _teacher(t)
    return cls, {**fields, "actor": latent_teacher(t)}


def _latent(t: TaskAgents) -> tuple[type, dict]:
    s = t.student
    student = LatentRNNModelCfg(hidden_dims=s.hidden_dims, activation=s.activation, rnn_type=s.rnn_type,
                                obs_normalization=s.obs_normalization, rnn_hidden_dim=s.rnn_hidden_dim,
                                rnn_num_layers=s.rnn_num_layers, distribution_cfg=s.distribution_cfg)  # fmt: skip
    _, fields = _distill(t, student, from_dagger(LatentDAggerAlgorithmCfg))
    return LatentRunnerCfg, {**fields, "teacher": latent_teacher(t)}


def _ppd(t: TaskAgents) -> tuple[type, dict]:
    actor = t.student.replace(distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=t.ppd_init_std))
    # a fixed learning rate: PPO's adaptive one reads the KL pull as a too-large step and falls to its 1e-5 floor
    algorithm = from_ppo(PPDAlgorithmCfg, t.ppo, entropy_coef=0.0, schedule="fixed", kl_coef=1.0)
    return PPDRunnerCfg, {
        "max_iterations": t.distill_iterations, "save_interval": 50, "actor": actor, "critic": t.critic,
        "teacher": t.teacher, "algorithm": algorithm,
        "obs_groups": {"actor": ["policy"], "critic": ["critic"], "teacher": [t.teacher_group]},
    }  # fmt: skip


def _finetune(t: TaskAgents) -> tuple[type, dict]:
    algorithm = from_ppo(FinetuneAlgorithmCfg, t.ppo, learning_rate=3.0e-4, entropy_coef=0.0, desired_kl=0.005,
                         critic_warmup_iterations=20)  # fmt: skip
    return FinetuneRunnerCfg, {
        "max_iterations": 100, "save_interval": 25, "actor": t.student, "critic": t.critic, "algorithm": algorithm,
        "obs_groups": {"actor": ["policy"], "critic": ["critic"]}, "student_experiment_name": f"{t.experiment}_dagger",
    }  # fmt: skip


METHODS: dict[str, Method] = {
    "rsl_rl_cfg_entry_point": Method("PPO", "", _teacher, "PPO teacher; its actor reads the 'teacher' group."),
    "rsl_rl_distillation_cfg_entry_point": Method(
        "Distillation", "_distillation", lambda t: _distill(t, t.student, STOCK_DISTILLATION),
        "Recurrent student distilled with RSL-RL's Distillation (stock)."),
    "rsl_rl_distillation_mlp_cfg_entry_point": Method(
        "MlpDistillation", "_distillation_mlp", lambda t: _distill(t, t.student_mlp, STOCK_DISTILLATION),
        "Feed-forward student distilled with RSL-RL's Distillation, to show what memory buys."),
    "rsl_rl_dagger_cfg_entry_point": Method(
        "DAgger", "_dagger", lambda t: _distill(t, t.student, DAGGER_BEST),
        "Recurrent student trained with DAgger: teacher forcing, beta decay, an 8-rollout buffer replayed 32 times per "
        "iteration."),
    "rsl_rl_dagger_mlp_cfg_entry_point": Method(
        "MlpDAgger", "_dagger_mlp", lambda t: _distill(t, t.student_mlp, DAGGER_DEFAULTS),
        "Feed-forward student trained with the base DAgger settings."),
    "rsl_rl_dagger_tiny_cfg_entry_point": Method(
        "TinyDAgger", "_dagger_tiny", lambda t: _distill(t, t.tiny_student, DAGGER_BEST),
        "Microcontroller-sized recurrent student (RAPTOR-sized) trained with DAgger's best measured settings."),
    "rsl_rl_multi_teacher_cfg_entry_point": Method(
        "MultiTeacherDAgger", "_multi_teacher",
        lambda t: _distill(t, t.student, from_dagger(MultiTeacherDAggerAlgorithmCfg)),
        "Recurrent student trained with DAgger from many teachers, each env labelled by its own (RAPTOR-style)."),
    "rsl_rl_feature_cfg_entry_point": Method(
        "FeatureDAgger", "_feature", lambda t: _distill(t, t.student, from_dagger(FeatureDAggerAlgorithmCfg)),
        "Recurrent student trained with DAgger plus matching of the teacher's last hidden layer (feature matching)."),
    "rsl_rl_latent_teacher_cfg_entry_point": Method(
        "LatentTeacher", "_latent_teacher", _latent_teacher,
        "PPO teacher whose privileged terms pass through an encoder into an 8-number latent (RMA-style)."),
    "rsl_rl_latent_cfg_entry_point": Method(
        "Latent", "_latent", _latent,
        "Recurrent student that estimates the latent teacher's encoding from its history (latent matching + DAgger)."),
    "rsl_rl_bc_cfg_entry_point": Method(
        "OfflineBC", "_bc", lambda t: _distill(t, t.student, OFFLINE_BC_DEFAULTS, 200),
        "Recurrent student cloned offline from a teacher dataset (train.py --dataset, recorded by collect.py)."),
    "rsl_rl_ppd_cfg_entry_point": Method(
        "PPD", "_ppd", _ppd, "Recurrent student trained by PPO with a KL pull to the frozen teacher (PPD)."),
    "rsl_rl_finetune_cfg_entry_point": Method(
        "Finetune", "_finetune", _finetune, "PPO fine-tuning of the DAgger student, after a critic warm-up."),
}  # fmt: skip
"""Entry point key -> method; the order is the order of the registry."""

COMMON = {"seed": 42, "device": "cpu", "num_steps_per_env": 24}
"""Fields every generated cfg shares: seed 42, the CPU (``--device`` changes it), 24 env steps per iteration."""


def build_ladder(agents: TaskAgents, module_name: str) -> dict[str, str]:
    """Make every method's runner cfg class for a task in module ``module_name``; return the registry entry points."""
    module = sys.modules[module_name]
    entry_points = {}
    for key, method in METHODS.items():
        built = method.build(agents)
        if built is None:
            continue
        base, fields = built
        fields = {**COMMON, **fields, "experiment_name": agents.experiment + method.suffix}
        name = f"{agents.prefix}{method.name}RunnerCfg"
        namespace = {"__doc__": method.doc, "__module__": module_name, "__annotations__": {}, **fields}
        setattr(module, name, configclass(type(name, (base,), namespace)))
        entry_points[key] = f"{module_name}:{name}"
    return entry_points
