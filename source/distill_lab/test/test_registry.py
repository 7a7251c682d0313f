"""The registry: the method ladder registers every entry point on both tasks, obs groups are wired as designed,
Hydra overrides and play mode apply, and bad names are clear errors."""

from __future__ import annotations

import gymnasium as gym
import pytest
from conftest import BLIND, DISTILL, TASK
from isaaclab_tasks.utils import load_cfg_from_registry

from distill_lab.cli.configs import resolve_configs, task_entry_points
from distill_lab.io import DistillLabError
from distill_lab.runners import run_kind
from distill_lab.tasks.ladder import METHODS
from distill_lab.tasks.quadcopter.quadcopter_env_cfg import PRIVILEGED_TERMS

KINDS = {
    "rsl_rl_cfg_entry_point": "teacher",
    "rsl_rl_distillation_cfg_entry_point": "distillation",
    "rsl_rl_distillation_mlp_cfg_entry_point": "distillation",
    "rsl_rl_dagger_cfg_entry_point": "distillation",
    "rsl_rl_dagger_mlp_cfg_entry_point": "distillation",
    "rsl_rl_dagger_tiny_cfg_entry_point": "distillation",
    "rsl_rl_multi_teacher_cfg_entry_point": "multi_teacher",
    "rsl_rl_feature_cfg_entry_point": "distillation",
    "rsl_rl_latent_teacher_cfg_entry_point": "teacher",
    "rsl_rl_latent_cfg_entry_point": "distillation",
    "rsl_rl_bc_cfg_entry_point": "offline_bc",
    "rsl_rl_ppd_cfg_entry_point": "ppd",
    "rsl_rl_finetune_cfg_entry_point": "finetune",
}


@pytest.mark.parametrize("task", [TASK, BLIND])
def test_every_method_of_the_ladder_is_registered_with_rsl_rl_runner_names(task):
    keys = set(task_entry_points(task)) - {"env_cfg_entry_point"}
    expected = set(METHODS) - ({"rsl_rl_dagger_tiny_cfg_entry_point"} if task == BLIND else set())
    assert keys == expected
    teacher = load_cfg_from_registry(task, "rsl_rl_cfg_entry_point")
    for key in keys:
        cfg = load_cfg_from_registry(task, key)
        assert run_kind(cfg).name == KINDS[key], key
        assert cfg.class_name in ("OnPolicyRunner", "DistillationRunner"), "Isaac Lab's CLI builds only these"
        assert cfg.device == "cpu" and cfg.experiment_name.startswith(teacher.experiment_name)
        if hasattr(cfg, "teacher"):
            ppo = load_cfg_from_registry(task, getattr(cfg, "teacher_agent", "rsl_rl_cfg_entry_point"))
            assert cfg.teacher.to_dict() == ppo.actor.to_dict(), f"{key}: its PPO teacher's checkpoint must load"
    experiments = [load_cfg_from_registry(task, k).experiment_name for k in keys]
    assert len(set(experiments)) == len(experiments), "each method has its own experiment folder"


def test_obs_groups_of_teacher_and_students():
    ppo = load_cfg_from_registry(TASK, "rsl_rl_cfg_entry_point")
    assert ppo.obs_groups == {"actor": ["teacher"], "critic": ["critic"]}
    for key, kind in KINDS.items():
        cfg = load_cfg_from_registry(TASK, key)
        groups = cfg.obs_groups.get(run_kind(cfg).policy_set)
        assert groups == (["teacher"] if kind == "teacher" else ["policy"]), key
    gru = load_cfg_from_registry(TASK, "rsl_rl_distillation_cfg_entry_point")
    assert gru.student.class_name == "RNNModel" and gru.student.rnn_type == "gru"
    lstm = load_cfg_from_registry(BLIND, "rsl_rl_distillation_cfg_entry_point")
    assert lstm.student.rnn_type == "lstm"


def test_isaaclab_cli_discovers_tasks():
    import importlib.metadata

    groups = {ep.value for ep in importlib.metadata.entry_points(group="isaaclab.tasks")}
    assert "distill_lab.tasks" in groups
    assert gym.spec(TASK).kwargs["default_agent"] == "rsl_rl"


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
    policy_terms = {"target_pos_error", "rotation_matrix", "lin_vel", "ang_vel", "last_action"}
    assert set(obs.policy.to_dict()) & policy_terms == policy_terms
    assert not set(PRIVILEGED_TERMS) & set(obs.policy.to_dict())
    for group in (obs.critic, obs.teacher):
        assert set(PRIVILEGED_TERMS) | policy_terms <= set(group.to_dict())


def test_hydra_overrides_apply():
    env_cfg, agent_cfg = resolve_configs(TASK, DISTILL, ["env.scene.num_envs=7", "agent.max_iterations=3"])
    assert env_cfg.scene.num_envs == 7 and agent_cfg.max_iterations == 3


def test_the_default_dagger_learns_while_collecting_and_can_be_made_deterministic():
    assert resolve_configs(TASK, "rsl_rl_dagger_cfg_entry_point", [])[1].algorithm.asynchronous
    _, agent_cfg = resolve_configs(TASK, "rsl_rl_dagger_cfg_entry_point", ["agent.algorithm.asynchronous=false"])
    assert agent_cfg.algorithm.asynchronous is False
    assert not resolve_configs(TASK, "rsl_rl_multi_teacher_cfg_entry_point", [])[1].algorithm.asynchronous, "base"


@pytest.mark.parametrize("task", [TASK, BLIND])
def test_play_mode_turns_noise_off(task):
    env_cfg, _ = resolve_configs(task, None, play=True)
    assert env_cfg.scene.num_envs == 16 and not env_cfg.observations.policy.enable_corruption
    if task == BLIND:
        assert env_cfg.events.push_robot is None


def test_unknown_task_lists_close_matches():
    with pytest.raises(DistillLabError, match="unknown task 'Quadcopter-Point-Ctr'.*Quadcopter-Point-Ctrl"):
        task_entry_points("Quadcopter-Point-Ctr")


def test_unknown_agent_lists_entry_points():
    with pytest.raises(DistillLabError, match="rsl_rl_distillation_cfg_entry_point"):
        resolve_configs(TASK, "rsl_rl_foo_cfg_entry_point")


def test_bad_override_is_clear():
    with pytest.raises(DistillLabError, match="bad config override"):
        resolve_configs(TASK, "rsl_rl_cfg_entry_point", ["agent.no_such_field.x=3"])
