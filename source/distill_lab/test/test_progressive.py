"""Progressive distillation: a distilled (recurrent) student is the teacher of the next, smaller one; a checkpoint plays
and continues with the models it was trained with, whatever size overrides its training took."""

from __future__ import annotations

import torch
from conftest import DAGGER, TASK, run

from distill_lab.io import load_checkpoint

TINY = "rsl_rl_dagger_tiny_cfg_entry_point"


def test_a_recurrent_student_teaches_a_smaller_one_which_plays_and_resumes(tmp_path):
    flags = ["--task", TASK, "--num_envs", "8", "--max_iterations", "1"]
    big = run("train", *flags, "--agent", DAGGER, "--teacher_checkpoint", "pretrained", cwd=tmp_path)
    small = run("train", *flags, "--agent", TINY, "--teacher_checkpoint", f"{big}/model_0.pt", cwd=tmp_path)
    teacher = load_checkpoint(f"{small}/model_0.pt")["teacher_state_dict"]
    student = load_checkpoint(f"{big}/model_0.pt")["student_state_dict"]
    assert "rnn.rnn.weight_hh_l0" in teacher, "the teacher is the recurrent student"
    assert all(torch.equal(teacher[k], student[k]) for k in student)
    result = run("evaluate", "--task", TASK, "--agent", TINY, "--checkpoints", f"{small}/model_0.pt", "--num_envs",
                 "8", "--num_steps", "20", "--no_profile", cwd=tmp_path)[0]  # fmt: skip
    assert result["action_mae"] > 0
    again = run("train", *flags, "--agent", TINY, "--resume", cwd=tmp_path)
    assert "rnn.rnn.weight_hh_l0" in load_checkpoint(f"{again}/model_1.pt")["teacher_state_dict"]


def test_a_student_trained_at_another_size_plays_without_repeating_the_override(tmp_path):
    size = ["agent.student.rnn_hidden_dim=8", "agent.student.hidden_dims=[8]"]
    run("train", "--task", TASK, "--agent", DAGGER, "--num_envs", "4", "--max_iterations", "1",
        "--teacher_checkpoint", "pretrained", *size, cwd=tmp_path)  # fmt: skip
    result = run("play", "--task", TASK, "--agent", DAGGER, "--num_envs", "4", "--num_steps", "10", cwd=tmp_path)
    assert result["export"]["max_action_difference"] < 1e-4
