"""RL fine-tuning of a distilled student: the actor starts as the student, stays frozen while the critic warms up,
then PPO moves it; a checkpoint without a student is refused clearly."""

from __future__ import annotations

import torch
from conftest import TASK, assert_clean_error, run_script

from distill_lab.utils import load_checkpoint

FINETUNE = "rsl_rl_finetune_cfg_entry_point"


def test_finetune_starts_from_student_and_warms_up_critic_first(tmp_path, teacher_run):
    student = run_script(
        "rsl_rl/train.py", "--task", TASK, "--agent", "rsl_rl_dagger_cfg_entry_point", "--num_envs", "16",
        "--max_iterations", "2", "--teacher_checkpoint", str(teacher_run / "model_1.pt"), "--run_name", "to_finetune",
        cwd=tmp_path,
    )  # fmt: skip
    assert student.returncode == 0, student.stderr[-2000:]
    student_ckpt = next((tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl_dagger").glob("*_to_finetune"))
    student_state = load_checkpoint(str(student_ckpt / "model_1.pt"))["student_state_dict"]

    proc = run_script(
        "rsl_rl/train.py", "--task", TASK, "--agent", FINETUNE, "--num_envs", "16", "--max_iterations", "4",
        "--load_run", student_ckpt.name, "--checkpoint", "model_1.pt", "--run_name", "finetuned",
        "agent.save_interval=1", "agent.algorithm.critic_warmup_iterations=2", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"Fine-tuning the student from: {student_ckpt / 'model_1.pt'}" in proc.stdout
    run = next((tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl_finetune").glob("*_finetuned"))
    actors = [load_checkpoint(str(run / f"model_{i}.pt"))["actor_state_dict"] for i in range(4)]
    critics = [load_checkpoint(str(run / f"model_{i}.pt"))["critic_state_dict"] for i in range(4)]
    for key, value in student_state.items():  # warm-up: the actor is exactly the student
        torch.testing.assert_close(actors[1][key], value, rtol=0, atol=0, msg=key)
    assert any(not torch.equal(critics[0][k], critics[1][k]) for k in critics[0]), "the critic learns in warm-up"
    assert any(not torch.equal(actors[1][k], actors[3][k]) for k in actors[1]), "PPO moves the actor afterwards"


def test_finetune_from_a_teacher_checkpoint_is_a_clear_error(tmp_path, teacher_run):
    proc = run_script(
        "rsl_rl/train.py", "--task", TASK, "--agent", FINETUNE, "--num_envs", "4", "--max_iterations", "1",
        "--checkpoint", str(teacher_run / "model_1.pt"), cwd=tmp_path,
    )  # fmt: skip
    assert_clean_error(proc, "holds no distilled student")
