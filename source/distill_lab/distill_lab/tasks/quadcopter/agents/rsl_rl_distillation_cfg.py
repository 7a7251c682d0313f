"""Distillation of the Quadcopter-Point-Ctrl teacher into students that read only the ``policy`` group."""

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
class QuadcopterDistillationRunnerCfg(RslRlDistillationRunnerCfg):
    """Recurrent (GRU) student, distilled with RSL-RL's DAgger-style ``Distillation``."""

    seed = 42
    device = "cpu"
    num_steps_per_env = 24
    max_iterations = 150
    save_interval = 25
    experiment_name = "quadcopter_point_ctrl_distillation"
    obs_groups = {"student": ["policy"], "teacher": ["teacher"]}
    student = RslRlRNNModelCfg(
        hidden_dims=[64, 64],
        activation="elu",
        obs_normalization=True,
        rnn_type="gru",
        rnn_hidden_dim=64,
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
class QuadcopterMlpDistillationRunnerCfg(QuadcopterDistillationRunnerCfg):
    """Feed-forward (MLP) student, for comparison with the recurrent one."""

    experiment_name = "quadcopter_point_ctrl_distillation_mlp"
    student = RslRlMLPModelCfg(
        hidden_dims=[128, 128],
        activation="elu",
        obs_normalization=True,
        distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=0.1),
    )


@configclass
class QuadcopterDAggerRunnerCfg(QuadcopterDistillationRunnerCfg):
    """GRU student trained with DAgger: 10 teacher-forced iterations, beta decays over 20, 4-rollout aggregation."""

    class_name = "DistillLabDistillationRunner"
    experiment_name = "quadcopter_point_ctrl_dagger"
    algorithm = DAGGER_DEFAULTS


@configclass
class QuadcopterMlpDAggerRunnerCfg(QuadcopterDAggerRunnerCfg):
    """Feed-forward student trained with the same DAgger settings, to compare with the GRU student."""

    experiment_name = "quadcopter_point_ctrl_dagger_mlp"
    student = QuadcopterMlpDistillationRunnerCfg().student


@configclass
class QuadcopterTinyDAggerRunnerCfg(QuadcopterDAggerRunnerCfg):
    """A RAPTOR-sized GRU student (2,096 parameters: GRU 16, one 8-unit layer, 4 actions, 4 stds) trained with DAgger.

    For microcontroller-class flight controllers; compare it with the 25k-parameter GRU student.
    """

    experiment_name = "quadcopter_point_ctrl_dagger_tiny"
    max_iterations = 300
    student = RslRlRNNModelCfg(
        hidden_dims=[8],
        activation="elu",
        obs_normalization=True,
        rnn_type="gru",
        rnn_hidden_dim=16,
        rnn_num_layers=1,
        distribution_cfg=RslRlRNNModelCfg.GaussianDistributionCfg(init_std=0.1),
    )


@configclass
class QuadcopterOfflineBCRunnerCfg(QuadcopterDAggerRunnerCfg):
    """GRU student cloned offline from a teacher dataset (``collect.py``), given by ``--dataset PATH``."""

    class_name = "distill_lab.distillation.offline:DistillLabOfflineRunner"
    experiment_name = "quadcopter_point_ctrl_bc"
    max_iterations = 200
    algorithm = OFFLINE_BC_DEFAULTS
