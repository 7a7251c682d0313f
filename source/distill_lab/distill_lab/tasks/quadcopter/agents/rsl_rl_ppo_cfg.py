"""PPO teacher for Quadcopter-Point-Ctrl: the actor reads the privileged ``teacher`` group, the critic ``critic``."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg, RslRlOnPolicyRunnerCfg, RslRlPpoAlgorithmCfg

TEACHER_ACTOR = RslRlMLPModelCfg(
    hidden_dims=[128, 128],
    activation="elu",
    obs_normalization=True,
    distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=0.2),
)
"""The teacher actor. A distillation cfg's ``teacher`` must equal it so a PPO checkpoint loads as the teacher."""


@configclass
class QuadcopterPPORunnerCfg(RslRlOnPolicyRunnerCfg):
    """PPO teacher runner."""

    seed = 42
    device = "cpu"
    num_steps_per_env = 24
    max_iterations = 300
    save_interval = 50
    experiment_name = "quadcopter_point_ctrl"
    obs_groups = {"actor": ["teacher"], "critic": ["critic"]}
    actor = TEACHER_ACTOR
    critic = RslRlMLPModelCfg(hidden_dims=[128, 128], activation="elu", obs_normalization=True)
    algorithm = RslRlPpoAlgorithmCfg(
        value_loss_coef=1.0,
        use_clipped_value_loss=True,
        clip_param=0.2,
        entropy_coef=0.002,
        num_learning_epochs=5,
        num_mini_batches=4,
        learning_rate=1.0e-3,
        schedule="adaptive",
        gamma=0.99,
        lam=0.95,
        desired_kl=0.01,
        max_grad_norm=1.0,
    )
