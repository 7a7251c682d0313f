"""RL fine-tuning on blind_rl: the DAgger LSTM student, improved by PPO after a critic warm-up."""

from isaaclab.utils import configclass

from distill_lab.distillation.finetune import FinetuneAlgorithmCfg
from distill_lab.distillation.ppd_cfg import from_ppo

from .rsl_rl_distillation_cfg import BlindRlDAggerRunnerCfg
from .rsl_rl_ppo_cfg import BlindRlPPORunnerCfg


@configclass
class BlindRlFinetuneRunnerCfg(BlindRlPPORunnerCfg):
    """PPO on the distilled LSTM student (``actor`` on ``policy``), with a fresh critic on the privileged ``critic``."""

    class_name = "DistillLabOnPolicyRunner"
    experiment_name = "blind_rl_finetune"
    max_iterations = 100
    save_interval = 25
    student_experiment_name: str = BlindRlDAggerRunnerCfg().experiment_name
    """Experiment whose runs ``--load_run`` / ``--checkpoint`` take the student from (or give ``--checkpoint PATH``)."""
    obs_groups = {"actor": ["policy"], "critic": ["critic"]}
    actor = BlindRlDAggerRunnerCfg().student
    algorithm = from_ppo(
        FinetuneAlgorithmCfg,
        BlindRlPPORunnerCfg().algorithm,
        learning_rate=3.0e-4,
        entropy_coef=0.0,
        desired_kl=0.005,
        critic_warmup_iterations=20,
    )
    """The teacher's PPO settings with a lower learning rate and target KL, no entropy bonus, and a 20-iteration
    critic warm-up."""
