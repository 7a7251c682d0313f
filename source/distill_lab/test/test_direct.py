"""Quadcopter-Point-Ctrl in Isaac Lab's Direct workflow (``-Direct``) and as a one-agent multi-agent env (``-MARL``):
every method is registered, the shipped teacher (trained on the manager-based task) flies both as well as it flies
the original, and the teacher -> DAgger student -> play flow, the export and the robustness sweep run on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DAGGER, TASK, refused, run
from isaaclab_tasks.utils import load_cfg_from_registry

from distill_lab.cli.configs import task_entry_points
from distill_lab.io import checkpoint_kind, load_checkpoint
from distill_lab.pretrained import pretrained_teacher

DIRECT, MARL = f"{TASK}-Direct", f"{TASK}-MARL"


@pytest.mark.parametrize("task", [DIRECT, MARL])
def test_every_method_is_registered_and_the_marl_teacher_reads_the_state(task):
    assert set(task_entry_points(task)) == set(task_entry_points(TASK))
    teacher_group = "critic" if task == MARL else "teacher"  # the converted MARL env's state is ``critic``
    assert load_cfg_from_registry(task, "rsl_rl_cfg_entry_point").obs_groups["actor"] == [teacher_group]
    assert load_cfg_from_registry(task, DAGGER).obs_groups == {"student": ["policy"], "teacher": [teacher_group]}


def test_shipped_teacher_flies_the_direct_and_marl_envs_like_the_manager_based_one(tmp_path):
    five_s = "env.episode_length_s=5"  # the teacher reaches and holds its target in 5 s as in the task's 10
    flags = ["--checkpoints", pretrained_teacher(TASK), "--num_envs", "16", "--seed", "1", "--no_profile", five_s]
    base, direct, marl = (run("evaluate", "--task", t, *flags, cwd=tmp_path)[0] for t in (TASK, DIRECT, MARL))
    assert base["mean_return"] > 8 and base["success_rate"] > 0.8, base
    assert direct["mean_return"] > 0.9 * base["mean_return"] and direct["success_rate"] > 0.8, (direct, base)
    assert marl["mean_return"] == pytest.approx(direct["mean_return"]), "one agent behind the MARL API: same env"


@pytest.mark.parametrize("task", [DIRECT, MARL])
def test_teacher_student_play_and_sweep(task, tmp_path):
    teacher = run("train", "--task", task, "--num_envs", "4", "--max_iterations", "1", cwd=tmp_path)
    path = f"{teacher}/model_0.pt"
    assert checkpoint_kind(load_checkpoint(path), path) == "ppo"
    student = run("train", "--task", task, "--agent", DAGGER, "--num_envs", "4", "--max_iterations", "1",
                  "--resume", "--load_run", Path(teacher).name, "--checkpoint", "model_0.pt", cwd=tmp_path)  # fmt: skip
    result = run("play", "--task", task, "--agent", DAGGER, "--num_envs", "4", "--num_steps", "20", cwd=tmp_path)
    assert result["checkpoint"] == f"{student}/model_0.pt"
    assert result["export"]["max_action_difference"] < 1e-4
    swept = run("evaluate", "--task", task, "--agent", DAGGER, "--checkpoints", result["checkpoint"], "--num_envs",
                "4", "--num_steps", "10", "--no_profile", "--sweep", cwd=tmp_path)[0]["sweep"]  # fmt: skip
    assert [p["value"] for p in swept["points"]] == [0.6, 0.8, 1.0, 1.2, 1.4]


def test_a_task_without_a_robustness_sweep_is_a_clear_error(tmp_path):
    refused(
        "evaluate",
        "--task",
        DIRECT,
        "--checkpoints",
        pretrained_teacher(TASK),
        "--num_envs",
        "4",
        "--sweep",
        "env.robustness_sweep=null",
        cwd=tmp_path,
        match="has no robustness sweep: expected env.robustness_sweep",
    )
