"""Latent matching: the teacher encodes its privileged terms, the student's estimate approaches that encoding, the
teacher's head can be taken frozen, both models export exactly, and the entry points train from a latent teacher run
resumed as Isaac Lab users do (and refuse a plain teacher clearly)."""

from __future__ import annotations

import os

import pytest
import torch
from conftest import TASK, refused, run
from rsl_rl.storage import RolloutStorage
from tensordict import TensorDict

from distill_lab.distillation.latent import LatentDAgger, LatentMLPModel, LatentRNNModel
from distill_lab.io import load_checkpoint
from distill_lab.pretrained import pretrained_teacher

N, T, POLICY, PRIVILEGED, ACT = 16, 8, 5, 3, 2
GAUSS = {"class_name": "GaussianDistribution", "init_std": 0.5}


def _obs() -> TensorDict:
    policy = torch.randn(N, POLICY)
    privileged = torch.tanh(2.0 * policy[:, :PRIVILEGED])  # what the student's observations reveal
    return TensorDict({"policy": policy, "teacher": torch.cat([policy, privileged], -1)}, batch_size=[N])


def _models(encoding_dim: int = 4):
    torch.manual_seed(0)
    obs, groups = _obs(), {"student": ["policy"], "teacher": ["teacher"]}
    common = {"activation": "elu", "distribution_cfg": GAUSS, "obs_normalization": True, "encoding_dim": encoding_dim}
    teacher = LatentMLPModel(obs, groups, "teacher", ACT, hidden_dims=[16], encoder_dims=[8], **common)
    student = LatentRNNModel(obs, groups, "student", ACT, hidden_dims=[16], rnn_hidden_dim=12, **common)
    return obs, teacher, student


def _alg(**kwargs) -> LatentDAgger:
    obs, teacher, student = _models()
    alg = LatentDAgger(student, teacher, RolloutStorage("distillation", N, T, obs, [ACT], "cpu"), device="cpu",
                       learning_rate=3e-3, **kwargs)  # fmt: skip
    alg.teacher_loaded = True
    return alg


@torch.inference_mode()
def _rollout(alg: LatentDAgger) -> None:
    for _ in range(T):
        obs = _obs()
        alg.act(obs)
        alg.process_env_step(obs, torch.zeros(N), torch.zeros(N), {})


def test_the_teacher_encodes_only_its_privileged_terms():
    obs, teacher, _ = _models()
    before = teacher(obs)
    changed = obs.clone()
    changed["teacher"][:, POLICY:] += 1.0
    assert teacher.split == POLICY and teacher.mlp[0].in_features == POLICY + 4
    assert not torch.allclose(teacher(changed), before), "the privileged terms reach the head through the encoder"


def test_the_estimate_approaches_the_teachers_encoding():
    alg = _alg(num_learning_epochs=8, buffer_capacity=2)
    losses = [alg.update()["feature"] for _ in range(12) if _rollout(alg) is None]
    assert losses[-1] < 0.5 * losses[0], losses


def test_the_teachers_head_is_taken_frozen():
    alg = _alg(head="teacher")
    _rollout(alg)
    alg.update()
    for mine, theirs in zip(alg.student.mlp.parameters(), alg.teacher.mlp.parameters(), strict=True):
        assert torch.equal(mine, theirs) and not mine.requires_grad
    assert torch.equal(alg.student.obs_normalizer._mean, alg.teacher.obs_normalizer._mean[..., :POLICY])


def test_mismatched_models_are_refused_clearly():
    obs, teacher, student = _models()
    other = LatentRNNModel(obs, {"student": ["policy"]}, "student", ACT, hidden_dims=[16], rnn_hidden_dim=12,
                           encoding_dim=5, distribution_cfg=GAUSS)  # fmt: skip
    storage = RolloutStorage("distillation", N, T, obs, [ACT], "cpu")
    with pytest.raises(ValueError, match="estimates 5 numbers, the teacher encodes 4"):
        LatentDAgger(other, teacher, storage, device="cpu")
    with pytest.raises(ValueError, match="needs a LatentMLPModel teacher"):
        LatentDAgger(student, student, storage, device="cpu")
    small = LatentRNNModel(obs, {"student": ["policy"]}, "student", ACT, hidden_dims=[8], rnn_hidden_dim=12,
                           encoding_dim=4, distribution_cfg=GAUSS)  # fmt: skip
    with pytest.raises(ValueError, match="student's must have its shape"):
        LatentDAgger(small, teacher, storage, device="cpu", head="teacher")


def test_both_models_export_exactly():
    obs, teacher, student = _models()
    with torch.no_grad():
        jit_teacher = torch.jit.script(teacher.as_jit())
        assert torch.allclose(jit_teacher(obs["teacher"]), teacher(obs), atol=1e-6)
        jit_student, onnx_student = torch.jit.script(student.as_jit()), student.as_onnx()
        h = torch.zeros(1, 1, 12)
        for _ in range(3):
            step = _obs()[:1]
            expected = student(step)
            assert torch.allclose(jit_student(step["policy"]), expected, atol=1e-6)
            out, h, _ = onnx_student(step["policy"], h)
            assert torch.allclose(out, expected, atol=1e-6)


def test_latent_entry_points_train_from_a_latent_teacher_run(tmp_path):
    small = ["--task", TASK, "--num_envs", "8", "--max_iterations", "1"]
    teacher_run = run("train", *small, "--agent", "rsl_rl_latent_teacher_cfg_entry_point", cwd=tmp_path)
    student_run = run("train", *small, "--agent", "rsl_rl_latent_cfg_entry_point", "--resume", "--load_run",
                      os.path.basename(teacher_run), "--checkpoint", "model_0.pt", cwd=tmp_path)  # fmt: skip
    assert "quadcopter_point_ctrl_latent" in student_run and os.path.isfile(f"{student_run}/model_0.pt")
    refused("train", *small, "--agent", "rsl_rl_latent_cfg_entry_point", "--teacher_checkpoint",
            pretrained_teacher(TASK), cwd=tmp_path, match="does not match the model cfg")  # fmt: skip


@pytest.mark.parametrize("task", [TASK, "blind_rl"])
def test_the_shipped_latent_teacher_teaches_the_latent_student(tmp_path, task):
    run_dir = run("train", "--task", task, "--agent", "rsl_rl_latent_cfg_entry_point", "--num_envs", "8",
                  "--max_iterations", "1", "--teacher_checkpoint", "pretrained", cwd=tmp_path)  # fmt: skip
    saved = load_checkpoint(f"{run_dir}/model_0.pt")
    shipped = load_checkpoint(pretrained_teacher(task, "rsl_rl_latent_teacher_cfg_entry_point"))
    assert torch.equal(saved["teacher_state_dict"]["encoder.0.weight"], shipped["actor_state_dict"]["encoder.0.weight"])
