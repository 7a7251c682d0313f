"""RL fine-tuning on Quadcopter-Point-Ctrl: the DAgger GRU student, improved by PPO after a critic warm-up."""

from isaaclab.utils import configclass

from distill_lab.distillation.finetune import FinetuneAlgorithmCfg
from distill_lab.distillation.ppd_cfg import from_ppo

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
    algorithm = from_ppo(
        FinetuneAlgorithmCfg,
        QuadcopterPPORunnerCfg().algorithm,
        learning_rate=3.0e-4,
        entropy_coef=0.0,
        desired_kl=0.005,
        critic_warmup_iterations=20,
    )
    """The teacher's PPO settings with a lower learning rate and target KL, no entropy bonus, and a 20-iteration
    critic warm-up."""
