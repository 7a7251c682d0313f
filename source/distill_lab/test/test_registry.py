"""The registry: every entry point resolves, obs groups are wired as designed, overrides and bad names behave."""

from __future__ import annotations

import gymnasium as gym
import pytest
from isaaclab_tasks.utils import load_cfg_from_registry

import distill_lab  # noqa: F401
from distill_lab.tasks.quadcopter.quadcopter_env_cfg import PRIVILEGED_TERMS
from distill_lab.utils import DistillLabError, resolve_configs, task_entry_points

TASK = "Quadcopter-Point-Ctrl"
ENTRY_POINTS = [
    "env_cfg_entry_point",
    "play_env_cfg_entry_point",
    "rsl_rl_cfg_entry_point",
    "rsl_rl_distillation_cfg_entry_point",
    "rsl_rl_distillation_mlp_cfg_entry_point",
    "rsl_rl_dagger_cfg_entry_point",
    "rsl_rl_dagger_mlp_cfg_entry_point",
    "rsl_rl_dagger_tiny_cfg_entry_point",
    "rsl_rl_finetune_cfg_entry_point",
]


@pytest.mark.parametrize("key", ENTRY_POINTS)
def test_entry_point_resolves(key):
    assert key in gym.spec(TASK).kwargs
    cfg = load_cfg_from_registry(TASK, key)
    assert type(cfg).__name__.startswith("Quadcopter")


def test_isaaclab_cli_discovers_tasks():
    import importlib.metadata

    groups = {ep.value for ep in importlib.metadata.entry_points(group="isaaclab.tasks")}
    assert "distill_lab.tasks" in groups


def test_agent_obs_groups_and_teacher_match():
    ppo = load_cfg_from_registry(TASK, "rsl_rl_cfg_entry_point")
    assert ppo.class_name == "OnPolicyRunner"
    assert ppo.obs_groups == {"actor": ["teacher"], "critic": ["critic"]}
    for key in (
        "rsl_rl_distillation_cfg_entry_point",
        "rsl_rl_distillation_mlp_cfg_entry_point",
        "rsl_rl_dagger_cfg_entry_point",
        "rsl_rl_dagger_mlp_cfg_entry_point",
        "rsl_rl_dagger_tiny_cfg_entry_point",
    ):
        dist = load_cfg_from_registry(TASK, key)
        assert dist.class_name in ("DistillationRunner", "DistillLabDistillationRunner")
        assert dist.obs_groups == {"student": ["policy"], "teacher": ["teacher"]}
        assert dist.teacher.to_dict() == ppo.actor.to_dict(), "teacher cfg must equal the PPO actor cfg"
    gru = load_cfg_from_registry(TASK, "rsl_rl_distillation_cfg_entry_point")
    assert gru.student.class_name == "RNNModel" and gru.student.rnn_type == "gru"


def test_tiny_student_fits_in_raptor_budget():
    """The RAPTOR-sized student on the 22-dim ``policy`` group has at most 2.1k parameters (RAPTOR's has 2084)."""
    import inspect

    import torch
    from rsl_rl.models import RNNModel
    from tensordict import TensorDict

    cfg = load_cfg_from_registry(TASK, "rsl_rl_dagger_tiny_cfg_entry_point").student.to_dict()
    cfg = {k: v for k, v in cfg.items() if k in inspect.signature(RNNModel).parameters}
    obs = TensorDict({"policy": torch.zeros(1, 22)}, batch_size=[1])
    model = RNNModel(obs, {"student": ["policy"]}, "student", 4, **cfg)
    assert 1500 < sum(p.numel() for p in model.parameters()) <= 2100


def test_policy_group_has_no_privileged_term():
    obs = load_cfg_from_registry(TASK, "env_cfg_entry_point").observations
    policy_terms = set(obs.policy.to_dict()) & {
        "target_pos_error",
        "rotation_matrix",
        "lin_vel",
        "ang_vel",
        "last_action",
    }
    assert policy_terms == {"target_pos_error", "rotation_matrix", "lin_vel", "ang_vel", "last_action"}
    assert not set(PRIVILEGED_TERMS) & set(obs.policy.to_dict())
    for group in (obs.critic, obs.teacher):
        assert set(PRIVILEGED_TERMS) | policy_terms <= set(group.to_dict())


def test_hydra_overrides_apply():
    env_cfg, agent_cfg = resolve_configs(
        TASK, "rsl_rl_distillation_cfg_entry_point", ["env.scene.num_envs=7", "agent.max_iterations=3"]
    )
    assert env_cfg.scene.num_envs == 7
    assert agent_cfg.max_iterations == 3


def test_play_mode_turns_noise_off():
    env_cfg, _ = resolve_configs(TASK, None, play=True)
    assert env_cfg.scene.num_envs == 16
    assert not env_cfg.observations.policy.enable_corruption


def test_unknown_task_lists_close_matches():
    with pytest.raises(DistillLabError, match="unknown task 'Quadcopter-Point-Ctr'.*Quadcopter-Point-Ctrl"):
        task_entry_points("Quadcopter-Point-Ctr")


def test_unknown_agent_lists_entry_points():
    with pytest.raises(DistillLabError, match="rsl_rl_distillation_cfg_entry_point"):
        resolve_configs(TASK, "rsl_rl_foo_cfg_entry_point")


def test_bad_override_is_clear():
    with pytest.raises(DistillLabError, match="bad config override"):
        resolve_configs(TASK, "rsl_rl_cfg_entry_point", ["agent.no_such_field.x=3"])
