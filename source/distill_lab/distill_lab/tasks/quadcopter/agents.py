"""Quadcopter-Point-Ctrl's models and PPO settings; :mod:`distill_lab.tasks.ladder` builds every agent cfg from them."""

from dataclasses import replace

from ..ladder import PPO_DEFAULTS, TaskAgents, build_ladder, mlp, rnn

AGENTS = TaskAgents(
    prefix="Quadcopter",
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

ENTRY_POINTS = build_ladder(AGENTS, __name__)
"""``*_cfg_entry_point`` -> ``"distill_lab.tasks.quadcopter.agents:Quadcopter<Method>RunnerCfg"``; the Direct
variant has the same obs groups and uses them too."""

MARL_ENTRY_POINTS = build_ladder(replace(AGENTS, prefix="QuadcopterMarl", teacher_group="critic"), __name__)
"""The same methods for the one-agent MARL variant, whose teacher reads ``critic`` (the env's state)."""
