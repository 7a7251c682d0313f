"""The Go1 task's PPO runner cfg, as Isaac Lab's go2 flat one (``UnitreeGo2FlatPPORunnerCfg``) with the run settings
of the CPU: its actor and critic, PPO settings and experiment name are what the ladder starts from."""

from isaaclab.utils import configclass
from isaaclab_rl.rsl_rl import RslRlMLPModelCfg, RslRlOnPolicyRunnerCfg, RslRlPpoAlgorithmCfg


@configclass
class UnitreeGo1FlatPPORunnerCfg(RslRlOnPolicyRunnerCfg):
    """PPO on the Go1 task (Isaac Lab's go2 flat settings)."""

    num_steps_per_env = 24
    max_iterations = 1000
    save_interval = 50
    experiment_name = "unitree_go1_flat"
    device = "cpu"
    obs_groups = {"actor": ["policy"], "critic": ["policy"]}
    actor = RslRlMLPModelCfg(
        hidden_dims=[128, 128, 128],
        activation="elu",
        obs_normalization=False,
        distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=1.0),
    )
    critic = RslRlMLPModelCfg(hidden_dims=[128, 128, 128], activation="elu", obs_normalization=False)
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
