"""Mechanics of the project's distillation (DAgger): schedule, buffer, losses, memory, frozen teacher, learning."""

from __future__ import annotations

import math

import pytest
import torch
from rsl_rl.models import MLPModel, RNNModel
from rsl_rl.storage import RolloutStorage
from rsl_rl.utils import split_and_pad_trajectories
from tensordict import TensorDict

from distill_lab.distillation.buffer import DAggerBuffer
from distill_lab.distillation.dagger import DAgger, episode_pieces
from distill_lab.distillation.losses import behavior_loss
from distill_lab.distillation.schedules import teacher_beta

N, T, OBS, PRIV, ACT = 8, 6, 5, 3, 2
GAUSS = {"class_name": "GaussianDistribution", "init_std": 0.5}


def _obs(n: int = N) -> TensorDict:
    """The teacher sees the policy terms plus 'privileged' terms that here are a function of them (so learnable)."""
    policy = torch.randn(n, OBS)
    return TensorDict({"policy": policy, "teacher": torch.cat([policy, policy[:, :PRIV].square()], -1)}, batch_size=[n])


def _make(student_rnn=False, teacher_rnn=False, **alg_kwargs) -> DAgger:
    torch.manual_seed(0)
    obs, groups = _obs(), {"student": ["policy"], "teacher": ["teacher"]}
    s_kw = {"hidden_dims": [16], "activation": "elu", "distribution_cfg": GAUSS}
    t_kw = {"hidden_dims": [16], "activation": "elu", "distribution_cfg": GAUSS}
    student = (RNNModel(obs, groups, "student", ACT, rnn_type="gru", rnn_hidden_dim=8, **s_kw) if student_rnn
               else MLPModel(obs, groups, "student", ACT, **s_kw))  # fmt: skip
    teacher = (RNNModel(obs, groups, "teacher", ACT, rnn_type="gru", rnn_hidden_dim=8, **t_kw) if teacher_rnn
               else MLPModel(obs, groups, "teacher", ACT, **t_kw))  # fmt: skip
    storage = RolloutStorage("distillation", N, T, obs, [ACT], "cpu")
    alg = DAgger(student, teacher, storage, device="cpu", learning_rate=3e-3, **alg_kwargs)
    alg.teacher_loaded = True
    return alg


@torch.inference_mode()
def _rollout(alg: DAgger, done_every: int = 0) -> None:
    """One rollout as RSL-RL's runner collects it (in inference mode)."""
    for t in range(T):
        obs = _obs()
        alg.act(obs)
        dones = torch.zeros(N)
        if done_every and (t + 1) % done_every == 0:
            dones[: N // 2] = 1.0
        alg.process_env_step(obs, torch.zeros(N), dones, {})


def test_beta_schedule_forcing_then_linear_decay():
    betas = [teacher_beta(i, forcing_iterations=3, decay_iterations=4, final_beta=0.2) for i in range(9)]
    assert betas[:3] == [1.0, 1.0, 1.0]
    assert betas[3:7] == pytest.approx([0.8, 0.6, 0.4, 0.2])
    assert betas[7:] == pytest.approx([0.2, 0.2])
    assert teacher_beta(5, 5, 0, 0.0) == 0.0


def test_learning_rate_falls_linearly_then_stays():
    alg = _make(learning_rate_schedule="linear", final_learning_rate=1e-3)
    alg.total_iterations = 2
    rates = []
    for _ in range(4):
        _rollout(alg)
        alg.update()
        rates.append(alg.optimizer.param_groups[0]["lr"])
    assert rates == pytest.approx([3e-3, 2e-3, 1e-3, 1e-3])
    late = _make(learning_rate_schedule="linear", final_learning_rate=1e-3, learning_rate_decay_fraction=0.5)
    late.total_iterations, rates = 4, []
    for _ in range(4):
        _rollout(late)
        late.update()
        rates.append(late.optimizer.param_groups[0]["lr"])
    assert rates == pytest.approx([3e-3, 3e-3, 3e-3, 2e-3]), "fixed for the first half, then down"
    fixed = _make()
    _rollout(fixed)
    fixed.update()
    assert fixed.optimizer.param_groups[0]["lr"] == pytest.approx(3e-3)


def test_teacher_acts_while_forced_and_student_after():
    alg = _make(teacher_forcing_iterations=1, beta_decay_iterations=0)
    obs = _obs()
    actions = alg.act(obs)
    assert torch.allclose(actions, alg.transition.privileged_actions), "beta = 1: the teacher acts"
    alg.process_env_step(obs, torch.zeros(N), torch.ones(N), {})
    for _ in range(T - 1):
        alg.act(_obs())
        alg.process_env_step(obs, torch.zeros(N), torch.ones(N), {})
    alg.update()
    assert alg.beta == 0.0
    actions = alg.act(obs)
    assert not torch.allclose(actions, alg.transition.privileged_actions), "beta = 0: the student acts"


def test_buffer_aggregates_and_evicts_oldest():
    buf = DAggerBuffer(capacity=2, device="cpu")
    for k in range(3):
        obs = TensorDict({"policy": torch.full((T, N, OBS), float(k))}, batch_size=[T, N])
        buf.add(obs, torch.full((T, N, ACT), float(k)), torch.zeros(T, N))
    assert len(buf) == 2 and buf.num_added == 3 and buf.num_transitions == 2 * T * N
    sample = buf.sample(64, generator=torch.Generator().manual_seed(0))
    assert set(sample["actions"].unique().tolist()) == {1.0, 2.0}, "rollout 0 was evicted"
    assert sample["obs"]["policy"].shape == (T, 64, OBS)


def test_losses_match_their_formulas():
    mu_s, mu_t = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]])
    sd_s, sd_t = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.5, 2.0]])
    assert behavior_loss("mse", mu_s, mu_t).item() == pytest.approx(0.5)
    assert behavior_loss("huber", mu_s, mu_t).item() == pytest.approx(0.25)
    kl = math.log(1.0 / 0.5) + (0.25 + 1.0) / 2.0 - 0.5 + 0.0
    assert behavior_loss("kl", mu_s, mu_t, sd_s, sd_t).item() == pytest.approx(kl)
    nll = 0.5 * 1.0 + 0.0 + 0.5 * math.log(2 * math.pi) + math.log(2.0) + 0.5 * math.log(2 * math.pi)
    assert behavior_loss("nll", mu_s, mu_t, sd_s).item() == pytest.approx(nll)
    with pytest.raises(ValueError, match="student's action std"):
        behavior_loss("kl", mu_s, mu_t)


def test_recurrent_teacher_keeps_its_memory_across_an_update():
    alg = _make(student_rnn=True, teacher_rnn=True, buffer_capacity=2)
    _rollout(alg, done_every=4)
    before = alg.teacher.get_hidden_state().clone()
    student_before = alg.student.get_hidden_state().clone()
    alg.update()
    assert torch.equal(alg.teacher.get_hidden_state(), before)
    assert torch.equal(alg.student.get_hidden_state(), student_before)


def test_teacher_parameters_never_change():
    alg = _make(student_rnn=True, buffer_capacity=3, loss_type="kl")
    teacher_state = {k: v.clone() for k, v in alg.teacher.state_dict().items()}
    student_state = {k: v.clone() for k, v in alg.student.state_dict().items()}
    for _ in range(3):
        _rollout(alg, done_every=3)
        alg.update()
    assert all(torch.equal(v, alg.teacher.state_dict()[k]) for k, v in teacher_state.items())
    assert any(not torch.equal(v, alg.student.state_dict()[k]) for k, v in student_state.items())


@pytest.mark.parametrize("student_rnn", [False, True])
def test_behavior_loss_falls(student_rnn):
    alg = _make(student_rnn=student_rnn, buffer_capacity=4, num_learning_epochs=4)
    losses = []
    for _ in range(25):
        _rollout(alg, done_every=3)
        losses.append(alg.update()["behavior"])
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:5]) / 5, losses


def test_student_without_distribution_is_refused_clearly():
    obs, groups = _obs(), {"student": ["policy"], "teacher": ["teacher"]}
    student = MLPModel(obs, groups, "student", ACT, hidden_dims=[16], activation="elu")
    teacher = MLPModel(obs, groups, "teacher", ACT, hidden_dims=[16], activation="elu", distribution_cfg=GAUSS)
    with pytest.raises(ValueError, match="student needs a distribution_cfg.*GaussianDistributionCfg"):
        DAgger(student, teacher, RolloutStorage("distillation", N, T, obs, [ACT], "cpu"), device="cpu")


@pytest.mark.parametrize("gradient_length", [2, T])
def test_gradient_length_truncates_backpropagation_through_time(gradient_length):
    """The loss at the last step of a sequence gets no gradient from inputs further back than the window."""
    alg = _make(student_rnn=True, gradient_length=gradient_length)
    seq = torch.randn(T, 1, OBS, requires_grad=True)
    alg.student.reset(hidden_state=torch.zeros(1, 1, 8))
    for t in range(T):
        mean, _ = alg._student_output(TensorDict({"policy": seq[t]}, batch_size=[1]))
        if t < T - 1:
            alg._advance_memory(torch.zeros(1, dtype=torch.bool), t)
    mean.sum().backward()
    reach = [t for t in range(T) if seq.grad[t].abs().sum() > 0]
    window_start = (T - 1) // gradient_length * gradient_length
    assert reach == list(range(window_start, T)), reach


def test_a_whole_sequence_in_one_rnn_call_gives_the_loss_and_gradients_of_stepping_through_time():
    """Where no window cuts a sequence, a recurrent student runs it in one call (split and padded at episode ends):
    the same loss and gradients as one step at a time, the memory starting from the stored state and then from zero."""
    alg = _make(student_rnn=True, gradient_length=T)
    _rollout(alg, done_every=2)
    alg.buffer.add(alg.storage.observations.select("policy"), alg.storage.privileged_actions, alg.storage.dones,
                   torch.randn(1, N, 8))  # fmt: skip
    batch = alg.buffer.sample(N, generator=torch.Generator().manual_seed(0))
    assert batch["dones"].any() and not batch["dones"].all()
    losses, grads = [], []
    for fused in (True, False):
        alg.fused_sequences = fused
        alg.student.zero_grad()
        loss = alg._sequence_loss(batch)
        loss.backward()
        losses.append(loss.item())
        grads.append(torch.cat([p.grad.flatten() for p in alg.student.parameters() if p.grad is not None]))
    assert losses[0] == pytest.approx(losses[1], rel=1e-6) and torch.allclose(grads[0], grads[1], atol=1e-6)


def test_nan_observations_stop_the_update_without_touching_the_student():
    alg = _make()
    before = {k: v.clone() for k, v in alg.student.state_dict().items()}
    with torch.inference_mode():
        for _ in range(T):
            obs = _obs()
            obs["policy"][:, 0] = float("nan")
            alg.act(obs)
            alg.process_env_step(obs, torch.zeros(N), torch.zeros(N), {})
    with pytest.raises(FloatingPointError, match="NaN"):
        alg.update()
    assert all(torch.equal(v, alg.student.state_dict()[k]) for k, v in before.items())


def test_update_logs_action_error_and_who_drove_which_return():
    alg = _make(teacher_forcing_iterations=1, beta_decay_iterations=10)  # per-env mixing: half the envs per policy
    alg.teacher_acts[: N // 2] = True
    alg.teacher_acts[N // 2 :] = False
    alg._resample_teacher_acts = lambda mask: None  # keep the split fixed for the check
    with torch.inference_mode():
        for t in range(T):
            obs = _obs()
            alg.act(obs)
            rewards = torch.where(alg.teacher_acts, 2.0, 1.0)
            dones = torch.full((N,), float(t == T - 1))
            alg.process_env_step(obs, rewards, dones, {})
    logged = alg.update()
    assert logged["teacher_return"] == pytest.approx(2.0 * T) and logged["student_return"] == pytest.approx(1.0 * T)
    assert logged["action_error"] > 0 and logged["beta"] == 1.0
    _rollout(alg)
    assert "student_return" not in alg.update(), "only episodes that ended in the rollout are logged"


def test_episode_pieces_are_rsl_rls_split_and_padded_trajectories():
    """The sequences cut where an episode ended, as RSL-RL's ``split_and_pad_trajectories`` cuts them: the same
    pieces and masks; each piece starts from the stored memory at a sequence's start, else from zeros."""
    dones = (torch.rand(T, N, generator=torch.Generator().manual_seed(1)) < 0.3).float()
    dones[:, 0] = 0  # one sequence with no episode end
    obs = TensorDict({"policy": torch.randn(T, N, OBS)}, batch_size=[T, N])
    hidden = torch.randn(1, N, 8)
    padded, masks, starts = episode_pieces(obs, dones, hidden)
    expected, expected_masks = split_and_pad_trajectories(obs, dones)
    assert torch.equal(masks, expected_masks)
    assert torch.equal(padded["policy"][masks], expected["policy"][expected_masks])
    first = torch.ones_like(dones, dtype=torch.bool)
    first[1:] = dones[:-1].bool()
    env = first.transpose(0, 1).nonzero()[:, 0]  # the env of each piece
    from_start = torch.cat([torch.tensor([True]), env[1:] != env[:-1]])
    assert torch.equal(starts[0, from_start], hidden[0]) and not starts[0, ~from_start].any()
