"""blind_rl on the embedded default (kit-less Newton on CPU): obs groups, standing, and the user's path, tiny sizes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gymnasium as gym
import onnx
import pytest
import torch
from conftest import DAGGER, run
from isaaclab_tasks.utils import load_cfg_from_registry

import distill_lab  # noqa: F401
from distill_lab.cli.configs import resolve_configs
from distill_lab.tasks.locomotion.blind.blind_env_cfg import FOOT_FRICTION_RANGE, PRIVILEGED_TERMS

TASK = "blind_rl"
NUM_ENVS = 4
POLICY_TERMS = ["base_ang_vel", "projected_gravity", "velocity_commands", "joint_pos", "joint_vel", "last_action"]


# The commands run first: they create their own simulation, which cannot coexist with the module's env below.


def test_the_go1_preset_is_the_real_go1_and_trains_distills_plays_and_exports_offline(tmp_path):
    small = ["--task", TASK, "--num_envs", "4", "--max_iterations", "2", "presets=go1"]
    teacher = Path(run("train", *small, cwd=tmp_path))
    run("train", *small, "--agent", DAGGER, "--teacher_checkpoint", str(teacher / "model_1.pt"), cwd=tmp_path)
    summary = run("play", "--task", TASK, "--agent", DAGGER, "--num_envs", "4", "--num_steps", "10", "presets=go1",
                  cwd=tmp_path)  # fmt: skip
    assert summary["export"]["max_action_difference"] < 1e-4
    meta = onnx.load(summary["export"]["onnx"]).metadata_props
    joints = json.loads(next(p.value for p in meta if p.key == "actions"))[0]["joint_names"]
    assert joints[:3] == ["FL_hip_joint", "FL_thigh_joint", "FL_calf_joint"], "the Menagerie Go1's joints"


def test_teacher_student_play_path(tmp_path):
    teacher = run("train", "--task", TASK, "--num_envs", "8", "--max_iterations", "2", cwd=tmp_path)
    student = run("train", "--task", TASK, "--agent", "rsl_rl_distillation_cfg_entry_point", "--num_envs", "8",
                  "--max_iterations", "2", "--resume", "--load_run", os.path.basename(teacher), "--checkpoint",
                  "model_1.pt", cwd=tmp_path)  # fmt: skip
    summary = run("play", "--task", TASK, "--agent", "rsl_rl_distillation_cfg_entry_point", "--num_envs", "4",
                  "--num_steps", "30", cwd=tmp_path)  # fmt: skip
    assert summary["checkpoint"] == os.path.join(student, "model_1.pt")
    assert os.path.isfile(summary["export"]["onnx"])


def test_shipped_teacher_is_small_documented_and_distillable(tmp_path):
    from distill_lab.pretrained import pretrained_teacher

    path = Path(pretrained_teacher(TASK))
    card = json.loads(path.with_name("teacher.json").read_text())
    assert path.stat().st_size <= 1 << 20
    assert {"command", "commit", "training_wall_time_s", "evaluation"} <= set(card)
    assert card["evaluation"][0]["error_vel_xy"] < 0.15
    run_dir = run("train", "--task", TASK, "--agent", "rsl_rl_dagger_cfg_entry_point", "--num_envs", "4",
                  "--max_iterations", "1", "--teacher_checkpoint", "pretrained", cwd=tmp_path)  # fmt: skip
    assert os.path.isfile(os.path.join(run_dir, "model_0.pt"))
    rows = run("evaluate", "--task", TASK, "--checkpoints", str(path), "--num_envs", "4", "--num_steps", "20",
               "--no_profile", cwd=tmp_path)  # fmt: skip
    assert rows[0]["checkpoint"] == str(path), "the shipped weights-only teacher plays"


@pytest.mark.parametrize(
    "key",
    [
        "env_cfg_entry_point",
        "rsl_rl_cfg_entry_point",
        "rsl_rl_distillation_cfg_entry_point",
        "rsl_rl_distillation_mlp_cfg_entry_point",
        "rsl_rl_dagger_cfg_entry_point",
        "rsl_rl_dagger_mlp_cfg_entry_point",
    ],
)
def test_entry_point_resolves(key):
    from distill_lab.tasks.ladder import METHODS
    from distill_lab.tasks.locomotion.blind.agents import AGENTS

    factory = gym.spec(TASK).kwargs[key]
    if key == "env_cfg_entry_point":
        assert load_cfg_from_registry(TASK, key).privileged_terms
        return
    assert factory.__self__ is AGENTS and factory.__func__ is METHODS[key], (
        "a named TaskAgents method, bound to blind_rl"
    )
    assert load_cfg_from_registry(TASK, key).experiment_name.startswith("blind_rl")


def test_agents_wire_teacher_and_student_groups():
    ppo = load_cfg_from_registry(TASK, "rsl_rl_cfg_entry_point")
    assert ppo.obs_groups == {"actor": ["teacher"], "critic": ["critic"]}
    dist = load_cfg_from_registry(TASK, "rsl_rl_distillation_cfg_entry_point")
    assert dist.obs_groups == {"student": ["policy"], "teacher": ["teacher"]}
    assert dist.teacher.to_dict() == ppo.actor.to_dict()
    assert dist.student.class_name == "RNNModel" and dist.student.rnn_type in ("lstm", "gru")
    mlp = load_cfg_from_registry(TASK, "rsl_rl_distillation_mlp_cfg_entry_point")
    assert mlp.student.class_name == "MLPModel"


def test_rough_preset_adds_terrain_generator_and_height_scan():
    env_cfg, _ = resolve_configs(TASK, None, ["presets=rough"])
    assert env_cfg.scene.terrain.terrain_type == "generator"
    assert env_cfg.scene.height_scanner is not None
    assert env_cfg.observations.critic.height_scan is not None
    assert env_cfg.observations.policy.to_dict().get("height_scan") is None


@pytest.mark.parametrize(
    ("name", "usd", "feet"),
    [("go1", "unitree_go1/go1.usdc", ".*_calf"), ("anymal_d", "ANYmal-D/anymal_d.usd", ".*_FOOT")],
)
def test_isaaclab_robot_presets_switch_robot_and_feet(name, usd, feet):
    env_cfg, _ = resolve_configs(TASK, None, [f"presets={name}"])
    assert env_cfg.scene.robot.spawn.usd_path.endswith(usd)
    assert env_cfg.scene.contact_forces.prim_path.endswith(feet)
    assert env_cfg.rewards.feet_air_time.params["sensor_cfg"].body_names == feet
    assert env_cfg.observations.teacher.foot_friction.params["asset_cfg"].body_names == feet


@pytest.fixture(scope="module")
def env():
    from distill_lab.cli.session import simulation

    env_cfg, _ = resolve_configs(TASK, None, [f"env.scene.num_envs={NUM_ENVS}"])
    env_cfg.seed = 0
    with simulation(env_cfg):
        env = gym.make(TASK, cfg=env_cfg)
        env.reset()
        yield env.unwrapped
        env.close()


def test_student_sees_no_privileged_term(env):
    terms = env.observation_manager.active_terms
    assert terms["policy"] == POLICY_TERMS
    assert not set(terms["policy"]) & set(PRIVILEGED_TERMS)
    assert terms["teacher"] == POLICY_TERMS + [
        "base_lin_vel",
        "base_height",
        "foot_contact",
        "foot_friction",
        "base_mass",
    ]
    assert terms["critic"] == terms["teacher"]


def test_robot_stands_under_zero_action(env):
    env.reset()
    robot = env.scene["robot"]
    for _ in range(100):  # 2 s
        obs, *_ = env.step(torch.zeros(NUM_ENVS, 12))
    height = robot.data.root_pos_w.torch[:, 2]
    assert ((height > 0.28) & (height < 0.36)).all(), height
    contact = obs["teacher"][:, -9:-5]  # foot contact states
    assert (contact == 1.0).all()


def test_foot_friction_is_randomized_and_observed(env):
    obs = env.observation_manager.compute()["teacher"]
    friction = obs[:, -5:-1]
    lo, hi = FOOT_FRICTION_RANGE
    assert ((friction >= lo) & (friction <= hi)).all()
    assert friction.std() > 0.01


def test_rough_terrain_env_steps_with_height_scan(tmp_path):
    """The rough preset builds offline (terrain generator), steps, and feeds a finite height scan to the teacher."""
    code = (
        "import torch, gymnasium as gym, distill_lab\n"
        "from distill_lab.cli.configs import resolve_configs\n"
        "from distill_lab.cli.session import simulation\n"
        "cfg, _ = resolve_configs('blind_rl', None, ['env.scene.num_envs=4', 'presets=rough'])\n"
        "with simulation(cfg):\n"
        "    env = gym.make('blind_rl', cfg=cfg); env.reset()\n"
        "    for _ in range(10): obs, *_ = env.step(torch.zeros(4, 12))\n"
        "    print('TERMS', env.unwrapped.observation_manager.active_terms['teacher'][-1], obs['teacher'].shape[1],"
        " bool(torch.isfinite(obs['teacher']).all()))\n"
    )
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "TERMS height_scan 135 True" in proc.stdout, proc.stdout[-500:]  # 58 + an 11 x 7 scan
