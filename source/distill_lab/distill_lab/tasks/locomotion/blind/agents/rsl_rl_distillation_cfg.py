"""Distillation of the blind_rl teacher into blind students that read only the ``policy`` group."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import (
    RslRlDistillationAlgorithmCfg,
    RslRlDistillationRunnerCfg,
    RslRlMLPModelCfg,
    RslRlRNNModelCfg,
)

from distill_lab.distillation import DAGGER_DEFAULTS, OFFLINE_BC_DEFAULTS

from .rsl_rl_ppo_cfg import TEACHER_ACTOR


@configclass
class BlindRlDistillationRunnerCfg(RslRlDistillationRunnerCfg):
    """Recurrent (LSTM) blind student: it must infer base velocity and contacts from its history."""

    seed = 42
    device = "cpu"
    num_steps_per_env = 24
    max_iterations = 300
    save_interval = 50
    experiment_name = "blind_rl_distillation"
    obs_groups = {"student": ["policy"], "teacher": ["teacher"]}
    student = RslRlRNNModelCfg(
        hidden_dims=[128, 64],
        activation="elu",
        obs_normalization=True,
        rnn_type="lstm",
        rnn_hidden_dim=128,
        rnn_num_layers=1,
        distribution_cfg=RslRlRNNModelCfg.GaussianDistributionCfg(init_std=0.1),
    )
    teacher = TEACHER_ACTOR
    algorithm = RslRlDistillationAlgorithmCfg(
        num_learning_epochs=2,
        learning_rate=1.0e-3,
        gradient_length=24,
        max_grad_norm=1.0,
        loss_type="mse",
    )


@configclass
class BlindRlMlpDistillationRunnerCfg(BlindRlDistillationRunnerCfg):
    """Feed-forward blind student, to show what memory buys."""

    experiment_name = "blind_rl_distillation_mlp"
    student = RslRlMLPModelCfg(
        hidden_dims=[256, 128, 64],
        activation="elu",
        obs_normalization=True,
        distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=0.1),
    )


@configclass
class BlindRlDAggerRunnerCfg(BlindRlDistillationRunnerCfg):
    """LSTM blind student trained with DAgger: 10 teacher-forced iterations, beta decays over 20, 4-rollout buffer."""

    class_name = "DistillLabDistillationRunner"
    experiment_name = "blind_rl_dagger"
    algorithm = DAGGER_DEFAULTS


@configclass
class BlindRlMlpDAggerRunnerCfg(BlindRlDAggerRunnerCfg):
    """Feed-forward blind student trained with the same DAgger settings, to compare with the LSTM student."""

    experiment_name = "blind_rl_dagger_mlp"
    student = BlindRlMlpDistillationRunnerCfg().student


@configclass
class BlindRlOfflineBCRunnerCfg(BlindRlDAggerRunnerCfg):
    """LSTM student cloned offline from a teacher dataset (``collect.py``), given by ``--dataset PATH``."""

    class_name = "distill_lab.distillation.offline:DistillLabOfflineRunner"
    experiment_name = "blind_rl_bc"
    max_iterations = 200
    algorithm = OFFLINE_BC_DEFAULTS
