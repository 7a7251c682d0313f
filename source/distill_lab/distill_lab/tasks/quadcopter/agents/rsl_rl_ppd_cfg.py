"""Proximal Policy Distillation on Quadcopter-Point-Ctrl: a GRU student trained by PPO with a KL pull to the teacher."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg

from distill_lab.distillation.ppd_cfg import PPDAlgorithmCfg, from_ppo

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
    algorithm = from_ppo(
        PPDAlgorithmCfg,
        QuadcopterPPORunnerCfg().algorithm,
        entropy_coef=0.0,
        schedule="fixed",  # the adaptive rate reads the KL pull as a too-large step and falls to its 1e-5 floor
        kl_coef=1.0,
    )
    """The teacher's PPO settings with no entropy bonus, a fixed learning rate and the KL pull."""
