"""Proximal Policy Distillation on Quadcopter-Point-Ctrl: a GRU student trained by PPO with a KL pull to the teacher."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg

from distill_lab.distillation.ppd_cfg import PPDAlgorithmCfg

from .rsl_rl_distillation_cfg import QuadcopterDistillationRunnerCfg
from .rsl_rl_ppo_cfg import TEACHER_ACTOR, QuadcopterPPORunnerCfg


@configclass
class QuadcopterPPDRunnerCfg(QuadcopterPPORunnerCfg):
    """The student (``actor``) reads ``policy`` only, the critic the privileged ``critic`` group, the frozen teacher
    ``teacher``; a PPO teacher checkpoint loads as the teacher (``--teacher_checkpoint``)."""

    class_name = "DistillLabOnPolicyRunner"
    experiment_name = "quadcopter_point_ctrl_ppd"
    max_iterations = 150
    obs_groups = {"actor": ["policy"], "critic": ["critic"], "teacher": ["teacher"]}
    actor = QuadcopterDistillationRunnerCfg().student.replace(
        distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=0.2)
    )
    teacher: RslRlMLPModelCfg = TEACHER_ACTOR
    """The frozen teacher; it must equal the PPO teacher's actor so its checkpoint loads."""
    algorithm = PPDAlgorithmCfg(
        value_loss_coef=1.0,
        use_clipped_value_loss=True,
        clip_param=0.2,
        entropy_coef=0.0,
        num_learning_epochs=5,
        num_mini_batches=4,
        learning_rate=1.0e-3,
        schedule="fixed",  # the adaptive rate reads the KL pull as a too-large step and falls to its 1e-5 floor
        gamma=0.99,
        lam=0.95,
        desired_kl=0.01,
        max_grad_norm=1.0,
        kl_coef=1.0,
    )
