"""A task distill_lab did not write gets the method ladder with one call (``register_ladder``): Isaac Lab's own Go2
task at the config level, and the Go1 task (Isaac Lab's velocity MDP on the real Unitree Go1) end to end, through
distill_lab's commands (the pipeline's sim-to-sim stage in MuJoCo on Menagerie's go1.xml included) and Isaac Lab's
own CLI; bad names, a joint order the MJCF contradicts and a joint it lacks are one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gymnasium as gym
import isaaclab_rl.entrypoints.backends.play_rsl_rl as isaaclab_play
import mujoco
import pytest
import torch
from conftest import DAGGER, chdir, refused, run
from isaaclab_rl.entrypoints.dispatch import run_cli as isaaclab
from isaaclab_tasks.utils import load_cfg_from_registry

from distill_lab.cli.configs import resolve_configs
from distill_lab.deploy.contract import read_contract
from distill_lab.deploy.runner import STEP_QUANTITIES
from distill_lab.io import DistillLabError, find_checkpoint, read_json
from distill_lab.runners import check_policy_observations
from distill_lab.tasks.ladder import METHODS, register_ladder

GO1 = "Go1-Velocity-Flat-Distill"
GO2 = "Isaac-Velocity-Flat-UnitreeGo2"
TINY = ["--num_envs", "4"]


def _terms(group) -> list[str]:
    return [name for name, term in vars(group).items() if hasattr(term, "func")]


def test_any_registered_task_gets_every_method_with_its_privileged_terms_split_off():
    task = register_ladder(GO2, ["base_lin_vel"], id="Test-Go2-Distill")
    keys = {k for k in gym.spec(task).kwargs if k.endswith("_cfg_entry_point")} - {"env_cfg_entry_point"}
    assert keys == set(METHODS) - {"rsl_rl_dagger_tiny_cfg_entry_point"}, "every rung the task's models allow"
    env_cfg, dagger = resolve_configs(task, DAGGER)
    assert _terms(env_cfg.observations.teacher) == _terms(resolve_configs(GO2, None)[0].observations.policy)
    assert _terms(env_cfg.observations.policy) == [
        t for t in _terms(env_cfg.observations.teacher) if t != "base_lin_vel"
    ]
    check_policy_observations(env_cfg, dagger)
    played, _ = resolve_configs(task, DAGGER, play=True)
    assert env_cfg.observations.teacher.enable_corruption, "the teacher trains with the task's noise"
    assert not played.observations.teacher.enable_corruption, "play mode turns it off in the groups the ladder added"
    kept, _ = resolve_configs(task, DAGGER, play=True, keep=["observations.*.enable_corruption"])
    assert kept.observations.teacher.enable_corruption and kept.observations.policy.enable_corruption
    ppo, theirs = (
        load_cfg_from_registry(task, "rsl_rl_cfg_entry_point"),
        load_cfg_from_registry(GO2, "rsl_rl_cfg_entry_point"),
    )
    assert ppo.actor.to_dict() == theirs.actor.to_dict() == dagger.teacher.to_dict(), "their PPO actor is the teacher"
    assert ppo.algorithm.to_dict() == theirs.algorithm.to_dict() and ppo.experiment_name == theirs.experiment_name
    assert ppo.obs_groups == {"actor": ["teacher"], "critic": ["critic"]}
    env_cfg, leaky = resolve_configs(task, DAGGER, ['agent.obs_groups.student=["teacher"]'])
    with pytest.raises(DistillLabError, match="privileged term.*base_lin_vel"):
        check_policy_observations(env_cfg, leaky)


def test_bad_names_given_to_the_ladder_are_one_line_errors():
    register_ladder(GO2, ["base_height"], id="Test-Go2-Bad")
    with pytest.raises(DistillLabError, match="base_height are not terms of .*'policy'; its terms are base_lin_vel"):
        resolve_configs("Test-Go2-Bad", DAGGER)
    register_ladder(GO2, ["base_lin_vel"], id="Test-Go2-Group", policy_group="proprio")
    with pytest.raises(DistillLabError, match="no obs group 'proprio' .* it has policy"):
        resolve_configs("Test-Go2-Group", DAGGER)
    with pytest.raises(DistillLabError, match="no task 'Nope-Task'"):
        register_ladder("Nope-Task", ["base_lin_vel"])
    gym.register(id="Test-No-PPO", entry_point="isaaclab.envs:ManagerBasedRLEnv", kwargs={"env_cfg_entry_point": "x:y"})
    with pytest.raises(DistillLabError, match="no rsl_rl_cfg_entry_point"):
        register_ladder("Test-No-PPO", ["base_lin_vel"])


@pytest.fixture(scope="module")
def teacher(tmp_path_factory) -> Path:
    """A 2-iteration PPO teacher of the Go1 task (distill_lab's train command)."""
    folder = tmp_path_factory.mktemp("go1")
    run_dir = run("train", "--task", GO1, *TINY, "--max_iterations", "2", cwd=folder)
    return Path(run_dir) / "model_1.pt"


def test_go1_teacher_then_student_play_export_and_the_pipeline_with_distill_lab_commands(teacher):
    folder = teacher.parents[4]
    student = Path(run("train", "--task", GO1, "--agent", DAGGER, *TINY, "--max_iterations", "2", "--resume",
                       "--load_run", teacher.parent.name, "--checkpoint", "model_1.pt", cwd=folder))  # fmt: skip
    summary = run("play", "--task", GO1, "--agent", DAGGER, *TINY, "--num_steps", "10", cwd=folder)
    assert summary["checkpoint"] == str(student / "model_1.pt") and summary["export"]["max_action_difference"] < 1e-4
    shipped = run(
        "play", "--task", GO1, "--agent", DAGGER, *TINY, "--num_steps", "10", "--checkpoint", "pretrained", cwd=folder
    )  # fmt: skip  (weights only: no optimizer state)
    assert shipped["checkpoint"].endswith("pretrained/unitree_go1_flat_dagger/student.pt")
    assert shipped["export"]["max_action_difference"] < 1e-4


@pytest.fixture(scope="module")
def pipeline(teacher) -> tuple[dict, Path]:
    """distill_lab's pipeline on the Go1 task from the teacher, at tiny size: its evaluation and folder."""
    folder = teacher.parents[4]
    evaluation = run("pipeline", "--task", GO1, "--name", "pytest", "--teacher", str(teacher), "--student_iterations",
                     "1", "--eval_envs", "4", "--no_video", "--sweep", "--sim2sim_teacher", "env.scene.num_envs=4",
                     "env.episode_length_s=0.5",
                     cwd=folder)  # fmt: skip
    return evaluation, folder / "logs" / "pipeline" / GO1 / "pytest"


def test_the_pipeline_evaluates_and_plays_teacher_and_student_in_mujoco_from_newtons_states(pipeline):
    evaluation, folder = pipeline
    assert evaluation["student"]["observation_noise"] and evaluation["student"]["num_envs"] == 4
    assert [p["value"] for p in evaluation["student"]["sweep"]["points"]] == [0.6, 0.8, 1.0, 1.25, 1.5], "base mass"
    sim = read_json(str(folder / "sim2sim" / "sim2sim.json"))
    assert os.path.basename(sim["mjcf"]) == "go1.xml" and sim["steps"] == 25  # the 0.5 s episodes
    contract = read_contract(sim["roles"]["student"]["onnx"])
    model = mujoco.MjModel.from_xml_path(sim["mjcf"])
    mjcf_order = [model.joint(i).name for i in range(model.njnt) if model.jnt_type[i] != mujoco.mjtJoint.mjJNT_FREE]
    assert sorted(mjcf_order) == sorted(contract.joints["names"]) and mjcf_order != contract.joints["names"], (
        "Menagerie orders the legs FR, FL, RR, RL, Isaac Lab FL, FR, RL, RR: mapped by name"
    )
    assert contract["robot"]["self_collisions"] is False, "the Go1 articulation trains without self-collisions"
    notes = sim["roles"]["student"]["mujoco"]["notes"]
    assert "self-collisions off as in training (78 body pairs of the robot excluded)" in notes, notes  # 13 bodies
    for role, group in (("teacher", "teacher"), ("student", "policy")):
        mujoco_side, newton_side = sim["roles"][role]["mujoco"], sim["roles"][role]["newton"]
        assert mujoco_side["summary"]["episodes"] == newton_side["summary"]["episodes"] == 6  # the default sequences
        parity = mujoco_side["observation_parity"]
        terms = [f"{t['group']}/{t['term']}" for t in read_contract(sim["roles"][role]["onnx"])["observations"]]
        assert list(parity["max_abs_diff"]) == terms and terms[0].startswith(group)
        assert parity["instants"] > 0 and parity["within_tolerance"], parity  # Newton's state copied: same vector
        step = parity["step"]  # and one control step of both engines from it
        assert 0 < step["instants"] <= parity["instants"] and set(step["max_abs_diff"]) == set(STEP_QUANTITIES)
        assert ("teacher/base_lin_vel" in terms) == (role == "teacher"), "the student is blind to base velocity"
    report = (folder / "report.md").read_text()
    assert "## Newton vs MuJoCo (`go1.xml`" in report and "observation rebuilt in MuJoCo" in report
    assert (folder / "report.html").is_file()


def test_a_joint_order_the_mjcf_contradicts_or_a_joint_it_lacks_is_a_one_line_error(pipeline, tmp_path):
    import onnx

    from distill_lab.deploy.scene import build_scene

    sim = read_json(str(pipeline[1] / "sim2sim" / "sim2sim.json"))
    student, mjcf = sim["roles"]["student"]["onnx"], sim["mjcf"]
    model = onnx.load(student)
    robot = next(p for p in model.metadata_props if p.key == "robot")
    joints = json.loads(robot.value)["joints"]["names"]
    permuted = str(tmp_path / "permuted.onnx")
    robot.value = robot.value.replace('"FL_hip_joint"', '"@"').replace('"FL_calf_joint"', '"FL_hip_joint"')
    robot.value = robot.value.replace('"@"', '"FL_calf_joint"')
    onnx.save(model, permuted)
    with pytest.raises(DistillLabError, match=r"expected joint 'FL_calf_joint' to have the limits \[-2.818, -0.888\] "
                       r"of go1.xml .* found \[-0.863, 0.863\] at its position 0 .* the metadata's joint order "
                       "does not match its values") as err:  # fmt: skip
        build_scene(mjcf, read_contract(permuted))
    assert "\n" not in str(err.value)
    lacking = tmp_path / "go1.xml"
    lacking.write_text(Path(mjcf).read_text().replace('name="RR_calf_joint"', 'name="RR_knee"').replace(
        'meshdir="assets"', f'meshdir="{Path(mjcf).parent / "assets"}"'))  # fmt: skip
    with pytest.raises(DistillLabError, match=r"expected joint 'RR_calf_joint' .* found no such joint; its joints "
                       "are .*RR_knee") as err:  # fmt: skip
        build_scene(str(lacking), read_contract(student))
    assert "\n" not in str(err.value) and len(joints) == 12


def test_go1_student_trains_and_plays_under_isaaclabs_own_cli(teacher, tmp_path, monkeypatch):
    common = ["--rl_library", "rsl_rl", "--task", GO1, "--agent", DAGGER, *TINY, "--device", "cpu"]
    with chdir(tmp_path):
        assert isaaclab("train", [*common, "--max_iterations", "2", "--checkpoint", str(teacher)]) == 0
        checkpoint = find_checkpoint([load_cfg_from_registry(GO1, DAGGER).experiment_name])
        steps = []
        monkeypatch.setattr(
            isaaclab_play, "run_playback", lambda step, **kw: [step() or steps.append(1) for _ in range(5)]
        )
        with torch.inference_mode():
            assert isaaclab("play", [*common, "--checkpoint", "latest"]) == 0
    assert Path(checkpoint).name == "model_1.pt" and len(steps) == 5


def test_a_robot_whose_joints_do_not_match_the_task_is_refused_in_one_line(tmp_path):
    knee = 'env.actions.joint_pos.joint_names=["FL_knee_.*"]'
    message = refused("train", "--task", GO1, *TINY, "--max_iterations", "1", knee, cwd=tmp_path, match="FL_knee_")
    assert "\n" not in message and "FL_hip_joint" in message, "names what the robot has"
