"""RL fine-tuning on Quadcopter-Point-Ctrl: the DAgger GRU student, improved by PPO after a critic warm-up."""

from isaaclab.utils import configclass

from distill_lab.distillation.finetune import FinetuneAlgorithmCfg

from .rsl_rl_distillation_cfg import QuadcopterDAggerRunnerCfg
from .rsl_rl_ppo_cfg import QuadcopterPPORunnerCfg


@configclass
class QuadcopterFinetuneRunnerCfg(QuadcopterPPORunnerCfg):
    """PPO on the distilled GRU student (``actor`` on ``policy``), with a fresh critic on the privileged ``critic``."""

    class_name = "DistillLabOnPolicyRunner"
    experiment_name = "quadcopter_point_ctrl_finetune"
    max_iterations = 100
    save_interval = 25
    student_experiment_name: str = QuadcopterDAggerRunnerCfg().experiment_name
    """Experiment whose runs ``--load_run`` / ``--checkpoint`` take the student from (or give ``--checkpoint PATH``)."""
    obs_groups = {"actor": ["policy"], "critic": ["critic"]}
    actor = QuadcopterDAggerRunnerCfg().student
    algorithm = FinetuneAlgorithmCfg(
        value_loss_coef=1.0,
        use_clipped_value_loss=True,
        clip_param=0.2,
        entropy_coef=0.0,
        num_learning_epochs=5,
        num_mini_batches=4,
        learning_rate=3.0e-4,
        schedule="adaptive",
        gamma=0.99,
        lam=0.95,
        desired_kl=0.005,
        max_grad_norm=1.0,
        critic_warmup_iterations=20,
    )
