"""Proximal Policy Distillation: the KL term on hand-made inputs, the lambda schedule, a frozen teacher, and a
2-iteration run of train.py."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import TASK, refused, run, scalars
from rsl_rl.models import MLPModel, RNNModel
from rsl_rl.storage import RolloutStorage
from tensordict import TensorDict

import distill_lab  # noqa: F401  (registers the tasks)
from distill_lab.distillation.ppd import PPD, student_teacher_kl

N, T, OBS, ACT = 8, 6, 5, 2
GAUSS = {"class_name": "GaussianDistribution", "init_std": 0.5}


def test_kl_is_student_to_teacher_on_hand_made_gaussians():
    mu_s, sd_s = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 2.0]])
    mu_t, sd_t = torch.tensor([[1.0, 1.0]]), torch.tensor([[0.5, 2.0]])
    # KL(s || t) = log(sd_t / sd_s) + (sd_s^2 + (mu_s - mu_t)^2) / (2 sd_t^2) - 1/2, summed over dims
    expected = (math.log(0.5 / 1.0) + (1.0 + 1.0) / (2 * 0.25) - 0.5) + 0.0
    assert student_teacher_kl(mu_s, sd_s, mu_t, sd_t).item() == pytest.approx(expected)
    reverse = math.log(1.0 / 0.5) + (0.25 + 1.0) / 2.0 - 0.5
    assert student_teacher_kl(mu_t, sd_t, mu_s, sd_s).item() == pytest.approx(reverse), "not symmetric"
    same = student_teacher_kl(mu_s, sd_s, mu_s.clone(), sd_s.clone())
    assert same.item() == pytest.approx(0.0, abs=1e-7)


def _obs(n: int = N) -> TensorDict:
    policy = torch.randn(n, OBS)
    return TensorDict(
        {"policy": policy, "teacher": torch.cat([policy, policy[:, :2].square()], -1), "critic": policy},
        batch_size=[n],
    )


def _make(recurrent: bool = False, **kwargs) -> PPD:
    torch.manual_seed(0)
    obs, groups = _obs(), {"actor": ["policy"], "critic": ["critic"], "teacher": ["teacher"]}
    kw = {"hidden_dims": [16], "activation": "elu", "distribution_cfg": GAUSS}
    actor = (RNNModel(obs, groups, "actor", ACT, rnn_type="gru", rnn_hidden_dim=8, **kw) if recurrent
             else MLPModel(obs, groups, "actor", ACT, **kw))  # fmt: skip
    critic = MLPModel(obs, groups, "critic", 1, hidden_dims=[16])
    teacher = MLPModel(obs, groups, "teacher", ACT, **kw)
    storage = RolloutStorage("rl", N, T, obs, [ACT], "cpu")
    alg = PPD(actor, critic, storage, device="cpu", num_mini_batches=2, **kwargs)
    alg.attach_teacher(teacher)
    alg.teacher_loaded = True
    return alg


@torch.inference_mode()
def _rollout(alg: PPD) -> None:
    for t in range(T):
        obs = _obs()
        alg.act(obs)
        dones = torch.zeros(N)
        if t == 3:
            dones[:2] = 1.0
        alg.process_env_step(obs, torch.randn(N), dones, {})
    alg.compute_returns(_obs())


def test_kl_coef_schedule_constant_and_linear():
    alg = _make(kl_coef=2.0, kl_coef_schedule="linear", kl_coef_final=0.0, kl_decay_iterations=4)
    assert alg.kl_coef == 2.0
    alg.num_updates = 1
    assert alg.kl_coef == pytest.approx(1.5)
    alg.num_updates = 9
    assert alg.kl_coef == 0.0
    assert _make(kl_coef=0.3).kl_coef == 0.3
    with pytest.raises(ValueError, match="kl_coef_schedule"):
        _make(kl_coef_schedule="cosine")


@pytest.mark.parametrize("recurrent", [False, True])
def test_kl_falls_and_teacher_never_changes(recurrent):
    alg = _make(recurrent, kl_coef=5.0, learning_rate=3e-3, schedule="fixed")
    teacher = {k: v.clone() for k, v in alg.teacher.state_dict().items()}
    kls = []
    for _ in range(15):
        _rollout(alg)
        out = alg.update()
        kls.append(out["distill_kl"])
        assert out["kl_coef"] == 5.0
    assert all(torch.equal(v, alg.teacher.state_dict()[k]) for k, v in teacher.items())
    assert sum(kls[-3:]) / 3 < 0.5 * sum(kls[:3]) / 3, kls
    saved = alg.save()
    assert {"actor_state_dict", "critic_state_dict", "teacher_state_dict"} <= set(saved)


def test_ppo_checkpoint_loads_only_the_teacher():
    alg, other = _make(), _make()
    torch.manual_seed(1)
    source = MLPModel(_obs(), {"teacher": ["teacher"]}, "teacher", ACT, hidden_dims=[16], distribution_cfg=GAUSS)
    actor_before = {k: v.clone() for k, v in alg.actor.state_dict().items()}
    assert alg.load({"actor_state_dict": source.state_dict()}, None, True) is False
    assert all(torch.equal(v, alg.teacher.state_dict()[k]) for k, v in source.state_dict().items())
    assert all(torch.equal(v, alg.actor.state_dict()[k]) for k, v in actor_before.items()), "the student stays"
    assert other.load(alg.save(), None, True) is True, "a PPD checkpoint resumes whole"


def test_ppd_runs_two_iterations_from_a_teacher(workdir, teacher_run):
    args = ["--task", TASK, "--agent", "rsl_rl_ppd_cfg_entry_point", "--num_envs", "8", "--max_iterations", "2"]
    run_dir = Path(run("train", *args, "--teacher_checkpoint", str(teacher_run / "model_1.pt"), cwd=workdir))
    assert len(scalars(run_dir, "Loss/distill_kl")) == 2 and scalars(run_dir, "Loss/kl_coef") == [1.0, 1.0]
    ckpt = torch.load(run_dir / "model_1.pt", weights_only=True)
    teacher = torch.load(teacher_run / "model_1.pt", weights_only=True)["actor_state_dict"]
    assert all(torch.equal(v, ckpt["teacher_state_dict"][k]) for k, v in teacher.items()), "the teacher is frozen"
    assert ckpt["actor_state_dict"]["rnn.rnn.weight_ih_l0"].shape[1] == 22, "the student reads policy (22) only"
    refused("train", "--task", TASK, "--agent", "rsl_rl_ppd_cfg_entry_point", cwd=workdir, match="--teacher_checkpoint")


@pytest.mark.parametrize("task", [TASK, "blind_rl"])
def test_ppd_entry_point_on_both_tasks(task):
    from isaaclab_tasks.utils import load_cfg_from_registry

    cfg = load_cfg_from_registry(task, "rsl_rl_ppd_cfg_entry_point")
    assert cfg.algorithm.class_name.endswith(":PPD") and cfg.algorithm.schedule == "fixed"
    assert cfg.obs_groups["actor"] == ["policy"] and cfg.obs_groups["teacher"] == ["teacher"]
    actor = load_cfg_from_registry(task, "rsl_rl_cfg_entry_point").actor
    for field in ("hidden_dims", "activation", "obs_normalization", "distribution_cfg"):
        assert getattr(cfg.teacher, field) == getattr(actor, field), field
