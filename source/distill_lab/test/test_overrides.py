"""Nothing a user sets is silently dropped: each kind of value (observation noise, an event's parameters, a term play
mode removes, a preset, a flag) reaches the running env, read back from the env, or is refused in one line."""

from __future__ import annotations

import pytest
import torch
from conftest import BLIND, TASK, refused, run

import distill_lab.cli.evaluate as evaluate_command
from distill_lab.pretrained import pretrained_teacher
from distill_lab.tasks.quadcopter.mdp import mass_ratio

MULTI = "rsl_rl_multi_teacher_cfg_entry_point"
EVAL = ["--num_envs", "8", "--num_steps", "5", "--no_profile"]


class Probe:
    """Reads the running env of evaluate.py with ``read(env)`` while it evaluates; ``found`` holds what it read."""

    def __init__(self) -> None:
        self.read, self.found = (lambda env: None), []


@pytest.fixture
def probe(monkeypatch) -> Probe:
    probe = Probe()
    original = evaluate_command.evaluate_checkpoint

    def evaluate_and_read(env, *args, **kwargs):
        probe.found.append(probe.read(env.unwrapped))
        return original(env, *args, **kwargs)

    monkeypatch.setattr(evaluate_command, "evaluate_checkpoint", evaluate_and_read)
    return probe


def noisy(env, group: str) -> bool:
    """Whether ``group``'s observations carry noise: two computations of one state differ."""
    return not torch.equal(env.observation_manager.compute_group(group), env.observation_manager.compute_group(group))


def term_cfg(env, group: str, name: str):
    """The cfg of obs term ``name`` of ``group`` as the running env's observation manager holds it."""
    manager = env.observation_manager
    return manager._group_obs_term_cfgs[group][manager.active_terms[group].index(name)]


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> str:
    """A one-iteration student of the shipped quadcopter specialists (a multi-teacher student)."""
    folder = tmp_path_factory.mktemp("multi")
    run_dir = run("train", "--task", TASK, "--agent", MULTI, "--num_envs", "8", "--max_iterations", "1",
                  "--teacher_checkpoint", "pretrained", cwd=folder)  # fmt: skip
    return f"{run_dir}/model_0.pt"


def evaluate(task: str, checkpoint: str, *argv: str, cwd, agent: str = MULTI) -> dict:
    return run("evaluate", "--task", task, "--agent", agent, "--checkpoints", checkpoint, *EVAL, *argv, cwd=cwd)[0]


def test_evaluation_keeps_the_noise_the_student_trained_with_unless_told(student, probe, tmp_path):
    probe.read = lambda env: noisy(env, "policy")
    assert evaluate(TASK, student, cwd=tmp_path)["observation_noise"] and probe.found[-1]
    assert not evaluate(TASK, student, "--no_noise", cwd=tmp_path)["observation_noise"] and not probe.found[-1]


def test_a_noise_override_is_applied_or_refused_never_ignored(student, probe, tmp_path):
    refused("play", "--task", TASK, "--agent", MULTI, "--checkpoint", student, "--num_steps", "2",
            "env.observations.policy.lin_vel.noise.n_max=0.3", cwd=tmp_path,
            match="no effect: observation noise is off in obs group 'policy'.*enable_corruption=true")  # fmt: skip
    probe.read = lambda env: term_cfg(env, "policy", "lin_vel").noise.n_max
    evaluate(TASK, student, "env.observations.policy.lin_vel.noise.n_max=0.3", cwd=tmp_path)
    assert probe.found[-1] == 0.3, "the override reached the running env"


def test_the_multi_teacher_student_flies_the_tasks_randomization_with_the_users_overrides(student, probe, tmp_path):
    mass = "env.events.dynamics.params.mass_scale=[0.5,0.55]"
    probe.read = lambda env: mass_ratio(env).view(-1).clone()
    evaluate(TASK, student, mass, cwd=tmp_path)
    ratio = probe.found[-1]
    assert ((ratio > 0.5 - 1e-4) & (ratio < 0.55 + 1e-4)).all(), ratio
    refused("evaluate", "--task", TASK, "--agent", MULTI, "--checkpoints", student, *EVAL, mass, "--teacher_conditions",
            cwd=tmp_path, match=r"mass_scale=.* is replaced by teacher teacher_\d+'s conditions")  # fmt: skip
    evaluate(TASK, student, "--teacher_conditions", cwd=tmp_path)
    assert len(set(probe.found[-1].tolist())) > 1, "each env flies its own teacher's vehicle"


def test_a_model_override_the_checkpoint_cannot_take_is_refused(student, tmp_path):
    refused("play", "--task", TASK, "--agent", MULTI, "--checkpoint", student, "--num_steps", "2",
            "agent.student.hidden_dims=[8,8]", cwd=tmp_path,
            match=r"agent.student.hidden_dims=\[8,8\]: the checkpoint's student was trained with")  # fmt: skip
    trained = run("play", "--task", TASK, "--agent", MULTI, "--checkpoint", student, "--num_steps", "2", "--no_export",
                  "agent.student.hidden_dims=[64,64]", cwd=tmp_path)  # fmt: skip
    assert trained["checkpoint"] == student, "an override equal to the trained value is applied as given"


def test_an_override_of_a_term_play_mode_removes_brings_it_back(probe, tmp_path):
    teacher, ppo = pretrained_teacher(BLIND), "rsl_rl_cfg_entry_point"

    def interval_events(env) -> dict:
        manager = env.event_manager
        return {name: manager.get_term_cfg(name).params for name in manager.active_terms.get("interval", [])}

    probe.read = interval_events
    evaluate(BLIND, teacher, "env.events.push_robot.params.velocity_range.x=[-1.0,1.0]", agent=ppo, cwd=tmp_path)
    assert tuple(probe.found[-1]["push_robot"]["velocity_range"]["x"]) == (-1.0, 1.0)
    evaluate(BLIND, teacher, agent=ppo, cwd=tmp_path)
    assert "push_robot" not in probe.found[-1], "play mode's own setting stays"


def test_a_preset_and_a_flag_reach_the_running_env(probe, tmp_path):
    def read(env):
        robot = env.scene["robot"]
        return env.num_envs, float(robot.data.default_joint_pos.torch[0, robot.joint_names.index("FL_calf_joint")])

    probe.read = read
    evaluate(BLIND, pretrained_teacher(BLIND), "presets=go1", "--num_envs", "3", agent="rsl_rl_cfg_entry_point",
             cwd=tmp_path)  # fmt: skip
    num_envs, calf = probe.found[-1]
    assert num_envs == 3, "the flag's env count, not evaluate's default"
    assert abs(calf + 1.8) < 1e-5, "the real Go1's standing pose (the local quadruped's calf is at -1.5)"
