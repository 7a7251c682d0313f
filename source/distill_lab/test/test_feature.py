"""Feature matching: the projection's shapes, a zero loss for identical features, a falling loss, the teacher's features
kept in the buffer with its labels, and the entry point training and resuming on the real task."""

from __future__ import annotations

import pytest
import torch
from conftest import TASK, run
from rsl_rl.models import MLPModel, RNNModel
from rsl_rl.storage import RolloutStorage
from tensordict import TensorDict

from distill_lab.distillation.feature import FeatureDAgger
from distill_lab.io import load_checkpoint

N, T, OBS, ACT = 8, 6, 5, 2
GAUSS = {"class_name": "GaussianDistribution", "init_std": 0.5}


def _obs() -> TensorDict:
    policy = torch.randn(N, OBS)
    return TensorDict({"policy": policy, "teacher": torch.cat([policy, policy.square()], -1)}, batch_size=[N])


def _make(student_rnn: bool = False, **kwargs) -> FeatureDAgger:
    torch.manual_seed(0)
    obs, groups = _obs(), {"student": ["policy"], "teacher": ["teacher"]}
    model = {"activation": "elu", "distribution_cfg": GAUSS}
    student = (RNNModel(obs, groups, "student", ACT, hidden_dims=[12], rnn_type="gru", rnn_hidden_dim=8, **model)
               if student_rnn else MLPModel(obs, groups, "student", ACT, hidden_dims=[12], **model))  # fmt: skip
    teacher = MLPModel(obs, groups, "teacher", ACT, hidden_dims=[32, 16], **model)
    storage = RolloutStorage("distillation", N, T, obs, [ACT], "cpu")
    alg = FeatureDAgger(student, teacher, storage, device="cpu", learning_rate=3e-3, **kwargs)
    alg.teacher_loaded = True
    return alg


@torch.inference_mode()
def _rollout(alg: FeatureDAgger) -> None:
    for _ in range(T):
        obs = _obs()
        alg.act(obs)
        alg.process_env_step(obs, torch.zeros(N), torch.zeros(N), {})


def test_projection_maps_the_student_width_to_the_teachers_and_bad_layers_are_clear():
    alg = _make(student_layers=["last_hidden", "mlp.0"], teacher_layers=["last_hidden", "mlp.0"])
    assert [(p.in_features, p.out_features) for p in alg.projections] == [(12, 16), (12, 32)]
    with pytest.raises(ValueError, match="no layer 'mlp.9'"):
        _make(student_layers=["mlp.9"])


def test_identical_features_cost_nothing():
    alg = _make(feature_coef=1.0)
    _rollout(alg)
    alg.update()
    assert alg.buffer.sample(4)["actions"].shape == (T, 4, ACT + 16), "the labels carry the teacher's features"
    obs = _obs()
    mean, std = alg._student_output(obs)
    features = alg.projections[0](alg._features["student"][0])
    target = torch.cat([mean.detach(), features.detach()], -1)
    assert alg._loss(mean, std, target).abs().max().item() < 1e-6


@pytest.mark.parametrize("student_rnn", [False, True])
def test_the_feature_loss_falls(student_rnn):
    alg = _make(student_rnn=student_rnn, feature_coef=1.0, buffer_capacity=2, num_learning_epochs=4)
    losses = []
    for _ in range(8):
        _rollout(alg)
        losses.append(alg.update()["feature"])
    assert losses[-1] < 0.5 * losses[0], losses


def test_feature_entry_point_trains_and_resumes(tmp_path):
    flags = ["--task", TASK, "--agent", "rsl_rl_feature_cfg_entry_point", "--num_envs", "8", "--max_iterations", "1"]
    first = run("train", *flags, "--teacher_checkpoint", "pretrained", cwd=tmp_path)
    again = run("train", *flags, "--resume", cwd=tmp_path)
    saved = load_checkpoint(f"{first}/model_0.pt")["distill_state"]["projections"]
    resumed = load_checkpoint(f"{again}/model_1.pt")["distill_state"]["projections"]
    assert saved["0.weight"].shape == (128, 64) and not torch.equal(saved["0.weight"], resumed["0.weight"])
