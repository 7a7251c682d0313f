"""PPO teacher for blind_rl: the actor reads the privileged ``teacher`` group, the critic ``critic``."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg, RslRlOnPolicyRunnerCfg, RslRlPpoAlgorithmCfg

TEACHER_ACTOR = RslRlMLPModelCfg(
    hidden_dims=[256, 128, 64],
    activation="elu",
    obs_normalization=True,
    distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=1.0),
)
"""The teacher actor. A distillation cfg's ``teacher`` must equal it so a PPO checkpoint loads as the teacher."""


@configclass
class BlindRlPPORunnerCfg(RslRlOnPolicyRunnerCfg):
    """PPO teacher runner."""

    seed = 42
    device = "cpu"
    num_steps_per_env = 24
    max_iterations = 1500
    save_interval = 50
    experiment_name = "blind_rl"
    obs_groups = {"actor": ["teacher"], "critic": ["critic"]}
    actor = TEACHER_ACTOR
    critic = RslRlMLPModelCfg(hidden_dims=[256, 128, 64], activation="elu", obs_normalization=True)
    algorithm = RslRlPpoAlgorithmCfg(
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
