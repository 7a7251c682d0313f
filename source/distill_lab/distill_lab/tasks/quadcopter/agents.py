"""Quadcopter-Point-Ctrl's models and PPO settings; :mod:`distill_lab.tasks.ladder` makes every agent cfg from them."""

from dataclasses import replace

from ..ladder import PPO_DEFAULTS, TaskAgents, entry_points, mlp, rnn

AGENTS = TaskAgents(
    experiment="quadcopter_point_ctrl",
    teacher=mlp([128, 128], init_std=0.2),
    critic=mlp([128, 128]),
    ppo=PPO_DEFAULTS.replace(entropy_coef=0.002),
    student=rnn("gru", 64, [64, 64]),
    student_mlp=mlp([128, 128], init_std=0.1),
    tiny_student=rnn("gru", 16, [8]),  # RAPTOR-sized: 2,096 parameters (GRU 16, one 8-unit layer, 4 actions, 4 stds)
    teacher_iterations=300,
    distill_iterations=150,
    distill_save_interval=25,
    ppd_init_std=0.2,
)
"""The teacher reads the privileged ``teacher`` group; the GRU, MLP and tiny GRU students read ``policy``."""

MARL_AGENTS = replace(AGENTS, teacher_group="critic")
"""The same for the one-agent MARL variant, whose teacher reads ``critic`` (the env's state)."""

ENTRY_POINTS = entry_points(AGENTS)
"""``*_cfg_entry_point`` -> ``AGENTS``' ladder method (e.g. ``TaskAgents.dagger``); the Direct variant has the same
obs groups and uses them too."""

MARL_ENTRY_POINTS = entry_points(MARL_AGENTS)
"""The same methods for the one-agent MARL variant."""
