"""blind_rl's models and PPO settings; :mod:`distill_lab.tasks.ladder` makes every agent cfg from them."""

from ...ladder import PPO_DEFAULTS, TaskAgents, entry_points, mlp, rnn

AGENTS = TaskAgents(
    experiment="blind_rl",
    teacher=mlp([256, 128, 64], init_std=1.0),
    critic=mlp([256, 128, 64]),
    ppo=PPO_DEFAULTS,
    student=rnn("lstm", 128, [128, 64]),  # blind to base velocity and height: it infers them from its history
    student_mlp=mlp([256, 128, 64], init_std=0.1),
    teacher_iterations=1500,
    distill_iterations=300,
    distill_save_interval=50,
    ppd_init_std=0.5,
)
"""The teacher reads the privileged ``teacher`` group; the LSTM and MLP students read ``policy``."""

ENTRY_POINTS = entry_points(AGENTS)
"""``*_cfg_entry_point`` -> ``AGENTS``' ladder method (e.g. ``TaskAgents.dagger``)."""
