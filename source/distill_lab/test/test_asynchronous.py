"""Asynchronous DAgger: a learner thread trains on the buffer while the envs act with a bounded-stale student copy.

What a user relies on: every label is still the teacher's action for the observation it labels; the acting student is
never more updates behind than ``max_staleness``; each iteration still takes its gradient steps and the student
learns; ``max_staleness=0`` learns exactly as a synchronous run; a run of the command line trains, records its
staleness, checkpoints whole iterations, resumes and evaluates; an error in the learner stops the run in the caller's
thread."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import torch
from conftest import DAGGER, TASK, run, scalars
from tensordict import TensorDict
from test_distillation import ACT, OBS, PRIV, N, T, _make, _obs, _rollout

from distill_lab.distillation import DAGGER_BEST
from distill_lab.io import DistillLabError, load_checkpoint, read_manifest

STEPS = 2 * 4  # gradient steps an iteration (num_learning_epochs * num_mini_batches of _async)


def _async(**kwargs):
    alg = _make(asynchronous=True, num_learning_epochs=2, num_mini_batches=4, buffer_capacity=3, **kwargs)
    steps = []
    alg.optimizer.register_step_post_hook(lambda *_: steps.append(1))
    alg.steps = steps
    return alg


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.001)


def test_every_label_is_the_teachers_action_for_the_observation_it_labels():
    alg = _async(student_rnn=True)
    for _ in range(4):
        _rollout(alg, done_every=3)
        alg.update()
    alg.finish_updates()
    assert len(alg.buffer) == 3
    with torch.inference_mode():
        for chunk in alg.buffer.chunks:
            policy = chunk["obs"]["policy"]
            teacher_obs = torch.cat([policy, policy[..., :PRIV].square()], -1)  # how _obs builds the teacher group
            for t in range(T):
                obs = chunk["obs"][t].clone()
                obs["teacher"] = teacher_obs[t]
                torch.testing.assert_close(chunk["actions"][t], alg.teacher(obs), rtol=0, atol=0)
    alg.end_learning()


def test_the_acting_student_is_never_more_than_max_staleness_updates_behind():
    alg = _async(max_staleness=2)
    _rollout(alg)
    alg.update()  # the learner takes this iteration's 8 steps while the next rollout is collected
    learner = alg.learner
    with torch.inference_mode():
        for t in range(T):
            alg.act(_obs())
            if t == 1:  # hold the envs: the learner runs up to the bound and waits there
                _wait_for(lambda: learner.version - learner.acting_version == 2, "the learner to reach the bound")
                time.sleep(0.2)
                assert learner.version - learner.acting_version == 2, "the learner stopped at the bound"
            alg.process_env_step(_obs(), torch.zeros(N), torch.zeros(N), {})
    logged = alg.update()
    assert logged["staleness_max"] == 2.0, "measured, and bounded by max_staleness"
    assert 0.0 <= logged["staleness"] <= 2.0
    alg.end_learning()
    assert len(alg.steps) == 2 * STEPS, "between rollouts the learner finished the iteration's steps"


def test_each_iteration_takes_its_gradient_steps_and_the_student_learns():
    alg = _async(student_rnn=True)
    teacher = {k: v.clone() for k, v in alg.teacher.state_dict().items()}
    losses = []
    for i in range(25):
        _rollout(alg, done_every=3)
        losses.append(alg.update().get("behavior"))
        if i == 5:
            alg.finish_updates()  # what a save does: whole iterations
            assert len(alg.steps) == 6 * STEPS
            saved = alg.save()
            assert saved["distill_state"]["num_updates"] == 6
            acting = dict(alg._actor.state_dict())
            assert any(not torch.equal(v, saved["student_state_dict"][k]) for k, v in acting.items()), (
                "the envs act with a copy that the learner has moved past"
            )
    alg.end_learning()
    assert losses[0] is None, "the first iteration's steps end during the next rollout: logged one iteration late"
    losses = losses[1:]
    assert len(alg.steps) == 25 * STEPS
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:5]) / 5, losses
    assert all(torch.equal(v, alg.teacher.state_dict()[k]) for k, v in teacher.items())


def test_a_nan_in_the_learner_stops_the_run_in_the_callers_thread():
    alg = _async()
    before = {k: v.clone() for k, v in alg.student.state_dict().items()}
    with torch.inference_mode():
        for _ in range(T):
            obs = _obs()
            obs["policy"][:, 0] = float("nan")
            alg.act(obs)
            alg.process_env_step(obs, torch.zeros(N), torch.zeros(N), {})
    alg.update()  # hands the steps to the learner, which meets the NaN
    with pytest.raises(FloatingPointError, match="NaN"):
        alg.finish_updates()
    assert all(torch.equal(v, alg.student.state_dict()[k]) for k, v in before.items())
    alg.end_learning()


def test_a_negative_staleness_bound_is_refused():
    with pytest.raises(DistillLabError, match="max_staleness must be 0 or more"):
        _make(asynchronous=True, max_staleness=-1)


def test_the_acting_copy_starts_from_the_learners_weights_and_acts_like_it():
    alg = _async()
    with torch.no_grad():
        for p in alg.student.parameters():
            p.add_(0.5)  # e.g. a loaded checkpoint
    obs = _obs()
    with torch.inference_mode():
        alg.act(obs)
    assert all(torch.equal(v, alg.student.state_dict()[k]) for k, v in alg._actor.state_dict().items())
    assert alg.transition.actions.shape == (N, ACT)
    alg.end_learning()


def test_with_max_staleness_0_it_learns_exactly_as_a_synchronous_run():
    """The envs then wait for the learner before each rollout: the same random draws in the same order, so the
    acting copy, the buffer, the normalizer and the optimizer give the synchronous run's weights bit for bit."""
    draws = torch.Generator().manual_seed(1)  # the observations do not draw from the learner's generator
    policy = torch.randn(6, T, N, OBS, generator=draws)
    students = []
    for asynchronous in (False, True):
        alg = _make(student_rnn=True, asynchronous=asynchronous, max_staleness=0, teacher_forcing_iterations=0,
                    beta_decay_iterations=0, num_learning_epochs=2, num_mini_batches=4, buffer_capacity=3)  # fmt: skip
        for rollout in policy:
            with torch.inference_mode():
                for t, p in enumerate(rollout):
                    obs = TensorDict({"policy": p, "teacher": torch.cat([p, p[:, :PRIV].square()], -1)}, [N])
                    alg.act(obs)
                    alg.process_env_step(obs, torch.zeros(N), (torch.arange(N) < t % 3).float(), {})
            alg.update()
        alg.end_learning()
        students.append(alg.save())
    sync, asynchronous = students
    for key in ("student_state_dict", "optimizer_state_dict"):
        torch.testing.assert_close(asynchronous[key], sync[key], rtol=0, atol=0, msg=key)


def test_an_asynchronous_run_trains_records_staleness_checkpoints_whole_iterations_and_resumes(tmp_path):
    flags = ["--task", TASK, "--agent", DAGGER, "--num_envs", "16", "--seed", "3", "agent.algorithm.asynchronous=true",
             "agent.algorithm.max_staleness=2", "agent.algorithm.teacher_forcing_iterations=0"]  # fmt: skip
    first = Path(run("train", *flags, "--max_iterations", "3", "--teacher_checkpoint", "pretrained", cwd=tmp_path))
    latest = read_manifest(first)["latest"]
    per_iteration = DAGGER_BEST.num_learning_epochs * DAGGER_BEST.num_mini_batches  # the entry point's
    assert latest["gradient_updates"] == 3 * per_iteration, "the last checkpoint holds all 3 iterations' steps"
    staleness = latest["staleness"]
    assert staleness["bound"] == 2 and 0 <= staleness["max"] <= 2 and staleness["env_steps"] > 0, staleness
    assert all(0.0 <= s <= 2.0 for s in scalars(first, "Loss/staleness_max"))
    losses = scalars(first, "Loss/behavior")
    assert losses and all(math.isfinite(x) for x in losses), losses
    student = load_checkpoint(str(first / "model_2.pt"))["student_state_dict"]
    assert any(not torch.equal(v, load_checkpoint(str(first / "model_0.pt"))["student_state_dict"][k])
               for k, v in student.items()), "the student learned"  # fmt: skip
    resumed = Path(run("train", *flags, "--max_iterations", "1", "--resume", cwd=tmp_path))
    manifest = read_manifest(resumed)
    assert manifest["start"]["exact_resume"] and manifest["latest"]["iteration"] == 3
    assert manifest["latest"]["gradient_updates"] == 4 * per_iteration, "the count goes on across the resume"
    rows = run("evaluate", "--task", TASK, "--agent", DAGGER, "--checkpoints", str(resumed / "model_3.pt"),
               "--num_envs", "4", "--num_steps", "20", "--no_profile", cwd=tmp_path)  # fmt: skip
    assert rows[0]["checkpoint"] == str(resumed / "model_3.pt") and math.isfinite(rows[0]["action_mae"])
