"""Many teachers, one student: each env is assigned a teacher at reset and gets that teacher's vehicle; its labels and,
while forcing, its actions come from that teacher; the buffer keeps the assignment; a run with N teachers resumes with
them; the teacher factory writes a manifest; bad teachers manifests are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import BLIND, DAGGER, REPO, TASK, refused, run

from distill_lab.cli.configs import resolve_configs
from distill_lab.cli.resolve import Start
from distill_lab.cli.session import open_runner
from distill_lab.distillation.dagger import teacher_output
from distill_lab.io import load_checkpoint, read_json, read_teachers
from distill_lab.pretrained import pretrained_teacher, pretrained_teachers
from distill_lab.runners import run_kind
from distill_lab.tasks.quadcopter.mdp import mass_ratio

MULTI = "rsl_rl_multi_teacher_cfg_entry_point"
SHIFT = 0.5
"""Teacher ``b`` is the shipped teacher with this added to its output bias: its every action is larger by it."""
VEHICLES = ({"mass_scale": 0.8, "thrust_to_weight": 1.7}, {"mass_scale": 1.2, "thrust_to_weight": 2.3})


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    """Two teachers on two vehicles: ``a`` (the shipped teacher) and ``b`` (its actions shifted by SHIFT)."""
    folder = tmp_path_factory.mktemp("teachers")
    ckpt = load_checkpoint(pretrained_teacher(TASK))
    torch.save(ckpt, folder / "a.pt")
    ckpt["actor_state_dict"]["mlp.4.bias"] += SHIFT
    torch.save(ckpt, folder / "b.pt")
    teachers = [
        {"name": n, "checkpoint": f"{n}.pt", "conditions": {"dynamics": v}} for n, v in zip("ab", VEHICLES, strict=True)
    ]
    (folder / "teachers.json").write_text(json.dumps({"task": TASK, "teachers": teachers}))
    return folder / "teachers.json"


def test_each_env_gets_its_teachers_vehicle_labels_and_forcing(manifest):
    env_cfg, agent_cfg = resolve_configs(TASK, MULTI, ["env.scene.num_envs=16"])
    specs = read_teachers([str(manifest)])
    kind = run_kind(agent_cfg)
    start = Start(specs[0]["checkpoint"], "teacher", load_checkpoint(specs[0]["checkpoint"]), kind, MULTI, specs)
    start.configure(env_cfg, agent_cfg)
    with open_runner(TASK, env_cfg, agent_cfg) as (env, runner):
        start.load_into(runner)
        alg = runner.alg
        for _ in range(2):  # at creation, and again at a reset: a fresh draw, and each env flies its teacher's vehicle
            obs = env.get_observations()
            ids = obs["teacher_id"].view(-1).long()
            assert set(ids.tolist()) == {0, 1}
            motors = env.unwrapped.action_manager.get_term("motors")
            expected = torch.tensor([VEHICLES[i]["thrust_to_weight"] for i in ids])
            assert torch.allclose(motors.thrust_to_weight, expected)
            expected = torch.tensor([VEHICLES[i]["mass_scale"] for i in ids])
            assert torch.allclose(mass_ratio(env.unwrapped).view(-1), expected, atol=1e-5)
            labels = alg._label(obs)
            shift = labels - teacher_output(alg.teachers[0], obs)[0]
            assert torch.allclose(shift, SHIFT * (ids == 1).float().unsqueeze(-1).expand_as(shift), atol=1e-5)
            env.reset()
        assert alg.beta == 1.0  # teacher forcing: every env follows its own teacher
        assert torch.allclose(alg.act(obs), labels)
        runner.learn(1)
        assert "teacher_id" in alg.buffer.sample(4)["obs"].keys(), "a replayed transition knows its teacher"


def test_a_run_with_two_teachers_trains_resumes_with_them_and_plays(manifest, tmp_path):
    flags = ["--task", TASK, "--agent", MULTI, "--num_envs", "8", "--max_iterations", "1"]
    first = run("train", *flags, "--teacher_checkpoint", str(manifest), cwd=tmp_path)
    again = run("train", *flags, "--resume", cwd=tmp_path)
    saved, resumed = load_checkpoint(f"{first}/model_0.pt"), load_checkpoint(f"{again}/model_1.pt")
    assert [t["name"] for t in resumed["distill_state"]["teachers"]] == ["a", "b"]
    for before, after in zip(saved["teachers_state_dict"], resumed["teachers_state_dict"], strict=True):
        assert all(torch.equal(before[k], after[k]) for k in before)
    bias = [s["mlp.4.bias"] for s in resumed["teachers_state_dict"]]
    assert torch.allclose(bias[1] - bias[0], torch.full_like(bias[0], SHIFT))
    result = run("evaluate", "--task", TASK, "--agent", MULTI, "--checkpoints", f"{again}/model_1.pt", "--num_envs",
                 "8", "--num_steps", "20", "--no_profile", cwd=tmp_path)[0]  # fmt: skip
    assert result["action_mae"] > 0, "the student is compared with each env's own teacher"


def test_teacher_factory_trains_evaluates_and_writes_a_manifest(tmp_path):
    flags = ["--task", TASK, "--num_teachers", "2", "--max_iterations", "1", "--num_envs", "4", "--eval_envs", "4",
             "--name", "tiny", "env.episode_length_s=1"]  # fmt: skip
    first = run("teachers", *flags, "--only", "0", cwd=tmp_path)
    assert [s["name"] for s in read_teachers([first])] == ["teacher_0"]
    path = run("teachers", *flags, cwd=tmp_path)  # resumes: teacher_0 is kept, its checkpoint still found
    written = json.loads(Path(path).read_text())
    assert written["command"].startswith("python scripts/train_teachers.py --task Quadcopter-Point-Ctrl")
    specs = read_teachers([path])
    assert [s["name"] for s in specs] == ["teacher_0", "teacher_1"]
    for spec, entry in zip(specs, written["teachers"], strict=True):
        vehicle = spec["conditions"]["dynamics"]
        assert set(vehicle) == {"mass_scale", "inertia_scale", "thrust_to_weight", "motor_time_constant",
                                "torque_coefficient"}  # fmt: skip
        assert 0.8 <= vehicle["mass_scale"] <= 1.2 and "success_rate" in entry["evaluation_on_own_conditions"]
    assert specs[0]["conditions"] != specs[1]["conditions"]


def test_bad_teachers_are_clear_errors(manifest, tmp_path):
    data = json.loads(manifest.read_text())
    flags = ["--task", TASK, "--agent", MULTI, "--num_envs", "4", "--max_iterations", "1", "--teacher_checkpoint"]
    missing = manifest.parent / "missing.json"
    missing.write_text(json.dumps({"teachers": [*data["teachers"], {"name": "c", "checkpoint": "c.pt"}]}))
    refused("train", *flags, str(missing), cwd=tmp_path, match=r"teacher 2 \(c\) checkpoint .*c.pt does not exist")
    refused("train", *flags, str(manifest), pretrained_teacher("blind_rl"), cwd=tmp_path,
            match=r"teacher 2 \(teacher\) checkpoint .*blind_rl.*teacher.pt")  # fmt: skip
    unknown = manifest.parent / "unknown.json"
    data["teachers"][1]["conditions"] = {"dynamics": {"wingspan": 2.0}}
    unknown.write_text(json.dumps(data))
    refused(
        "train", *flags, str(unknown), cwd=tmp_path, match=r"teacher 1's conditions name event 'dynamics'.*wingspan"
    )
    refused("train", "--task", TASK, "--agent", DAGGER, "--teacher_checkpoint", str(manifest), cwd=tmp_path,
            match="several teachers")  # fmt: skip


def test_the_shipped_specialists_teach_a_student(tmp_path):
    shipped = pretrained_teachers(TASK)
    assert shipped.endswith("specialists/teachers.json"), "the quadcopter ships its specialist teachers"
    specs = read_teachers([shipped])
    assert len(specs) >= 8 and len({json.dumps(s["conditions"]) for s in specs}) == len(specs), "one vehicle each"
    run_dir = run("train", "--task", TASK, "--agent", MULTI, "--num_envs", "4", "--max_iterations", "1",
                  "--teacher_checkpoint", "pretrained", cwd=tmp_path)  # fmt: skip
    saved = load_checkpoint(f"{run_dir}/model_0.pt")
    assert len(saved["teachers_state_dict"]) == len(specs)
    assert [t["conditions"] for t in saved["distill_state"]["teachers"]] == [s["conditions"] for s in specs]


def test_blind_rl_student_from_the_flat_teacher_and_a_low_friction_expert(tmp_path):
    experts = run("teachers", "--task", BLIND, "--conditions", str(REPO / "bench" / "blind_experts.json"), "--init",
                  "pretrained", "--max_iterations", "1", "--num_envs", "4", "--eval_envs", "4", "--name", "tiny",
                  "env.episode_length_s=1", cwd=tmp_path)  # fmt: skip
    run_dir = run("train", "--task", BLIND, "--agent", MULTI, "--num_envs", "4", "--max_iterations", "1",
                  "--teacher_checkpoint", pretrained_teacher(BLIND), experts, cwd=tmp_path)  # fmt: skip
    assert read_json(experts)["command"].endswith("--num_envs 4 env.episode_length_s=1"), "the overrides are recorded"
    teachers = load_checkpoint(f"{run_dir}/model_0.pt")["distill_state"]["teachers"]
    assert [t["conditions"] for t in teachers] == [{}, read_teachers([experts])[0]["conditions"]]
    assert teachers[1]["conditions"]["foot_friction"]["static_friction_range"] == [0.2, 0.4]
