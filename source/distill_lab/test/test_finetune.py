"""RL fine-tuning of a distilled student: the actor starts as the student, stays frozen while the critic warms up,
then PPO moves it; a checkpoint without a student is refused clearly."""

from __future__ import annotations

from pathlib import Path

import torch
from conftest import DAGGER, TASK, refused, run

from distill_lab.io import load_checkpoint

FINETUNE = "rsl_rl_finetune_cfg_entry_point"


def test_finetune_starts_from_student_and_warms_up_critic_first(tmp_path, teacher_run):
    student = Path(run("train", "--task", TASK, "--agent", DAGGER, "--num_envs", "16", "--max_iterations", "2",
                       "--teacher_checkpoint", str(teacher_run / "model_1.pt"), cwd=tmp_path))  # fmt: skip
    student_state = load_checkpoint(str(student / "model_1.pt"))["student_state_dict"]
    # as Isaac Lab users name a run: found in the student's experiment, recognised as a student to fine-tune
    finetuned = Path(run("train", "--task", TASK, "--agent", FINETUNE, "--num_envs", "16", "--max_iterations", "4",
                         "--load_run", student.name, "--checkpoint", "model_1.pt", "agent.save_interval=1",
                         "agent.algorithm.critic_warmup_iterations=2", cwd=tmp_path))  # fmt: skip
    actors = [load_checkpoint(str(finetuned / f"model_{i}.pt"))["actor_state_dict"] for i in range(4)]
    critics = [load_checkpoint(str(finetuned / f"model_{i}.pt"))["critic_state_dict"] for i in range(4)]
    for key, value in student_state.items():  # warm-up: the actor is exactly the student
        torch.testing.assert_close(actors[1][key], value, rtol=0, atol=0, msg=key)
    assert any(not torch.equal(critics[0][k], critics[1][k]) for k in critics[0]), "the critic learns in warm-up"
    assert any(not torch.equal(actors[1][k], actors[3][k]) for k in actors[1]), "PPO moves the actor afterwards"


def test_finetune_from_a_teacher_checkpoint_is_a_clear_error(tmp_path, teacher_run):
    refused("train", "--task", TASK, "--agent", FINETUNE, "--num_envs", "4", "--max_iterations", "1", "--checkpoint",
            str(teacher_run / "model_1.pt"), cwd=tmp_path, match="does not match the model cfg")  # fmt: skip
    refused("train", "--task", TASK, "--agent", FINETUNE, cwd=tmp_path, match="starts from a distilled student")
