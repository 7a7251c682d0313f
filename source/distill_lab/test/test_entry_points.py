"""Every entry point trains and plays under distill_lab's commands and under Isaac Lab's own CLI (``isaaclab
train|play --rl_library rsl_rl``), at tiny sizes: Isaac Lab builds RSL-RL's runners from the cfgs, and the project's
algorithms come in through ``algorithm.class_name``. The ladder makes both tasks' agent cfgs alike, so every entry
point runs on the quadcopter and blind_rl runs those where its robot differs (:data:`BLIND_AGENTS`)."""

from __future__ import annotations

from pathlib import Path

import isaaclab_rl.entrypoints.backends.play_rsl_rl as isaaclab_play
import pytest
import torch
from conftest import BLIND, DAGGER, TASK, chdir, run
from isaaclab_rl.entrypoints.dispatch import run_cli as isaaclab

from distill_lab.cli.configs import task_entry_points
from distill_lab.io import checkpoint_kind, find_checkpoint, load_checkpoint
from distill_lab.pretrained import pretrained_teacher

MULTI = "rsl_rl_multi_teacher_cfg_entry_point"
LATENT = "rsl_rl_latent_cfg_entry_point"
BLIND_AGENTS = ("rsl_rl_cfg_entry_point", DAGGER, MULTI, LATENT)
"""blind_rl's entry points under distill_lab's commands: its PPO teacher, its recurrent DAgger student, its shipped
experts (multi-teacher) and its latent student (an encoder of its own privileged terms)."""
CASES = [(TASK, agent) for agent in task_entry_points(TASK) if agent != "env_cfg_entry_point"]
CASES += [(BLIND, agent) for agent in BLIND_AGENTS]
ISAACLAB_CASES = [(task, agent) for task, agent in CASES if task == TASK or agent in (DAGGER, MULTI)]
"""Under Isaac Lab's CLI: every entry point of the quadcopter, and blind_rl's DAgger and multi-teacher students."""
TINY = ["--num_envs", "4"]
BC = [
    "agent.algorithm.burn_in=8",
    "agent.algorithm.sequence_length=16",
    "agent.algorithm.offline_iterations=1",
    "agent.algorithm.dagger_rounds=1",
]
"""Offline BC on the tiny dataset: one offline iteration, then one DAgger round."""
LATENT_TEACHER = "rsl_rl_latent_teacher_cfg_entry_point"


@pytest.fixture(scope="module")
def starts(tmp_path_factory) -> dict:
    """Per task: its shipped teacher and a latent teacher (one PPO iteration) to distill the latent student from; the
    quadcopter's also a teacher dataset (collect.py) and a DAgger student to fine-tune."""
    folder = tmp_path_factory.mktemp("starts")
    found = {}
    for task in (TASK, BLIND):
        latent = run("train", "--task", task, "--agent", LATENT_TEACHER, *TINY, "--max_iterations", "1", cwd=folder)
        found[task] = {"teacher": pretrained_teacher(task), "latent_teacher": f"{latent}/model_0.pt"}
    dataset = run("collect", "--task", TASK, "--teacher_checkpoint", "pretrained", *TINY, "--num_steps", "30",
                  "--output", "dataset.pt", cwd=folder)  # fmt: skip
    student = run("train", "--task", TASK, "--agent", DAGGER, *TINY, "--max_iterations", "1",
                  "--teacher_checkpoint", "pretrained", cwd=folder)  # fmt: skip
    found[TASK] |= {"dataset": dataset, "student": f"{student}/model_0.pt"}
    return found


def _start(agent: str, start: dict, isaaclab_cli: bool) -> list[str]:
    """The flags a run of ``agent`` starts from, as each CLI takes them."""
    if agent in ("rsl_rl_cfg_entry_point", LATENT_TEACHER):
        return []
    if agent == "rsl_rl_finetune_cfg_entry_point":
        return ["--checkpoint", start["student"]]
    teacher = ["--checkpoint" if isaaclab_cli else "--teacher_checkpoint",
               start["latent_teacher" if agent == LATENT else "teacher"]]  # fmt: skip
    if agent != "rsl_rl_bc_cfg_entry_point":
        return teacher
    if isaaclab_cli:  # Isaac Lab's runner steps the env every iteration; the teacher must be given
        return [*teacher, f"agent.algorithm.dataset_path={start['dataset']}", *BC]
    return ["--dataset", start["dataset"], *BC]


@pytest.mark.parametrize(("task", "agent"), CASES)
def test_distill_lab_commands_train_play_and_export_every_entry_point(task, agent, starts, tmp_path):
    run_dir = Path(run("train", "--task", task, "--agent", agent, *TINY, "--max_iterations", "2",
                       *_start(agent, starts[task], isaaclab_cli=False), cwd=tmp_path))  # fmt: skip
    summary = run("play", "--task", task, "--agent", agent, *TINY, "--num_steps", "10", cwd=tmp_path)
    assert summary["checkpoint"] == str(run_dir / "model_1.pt"), "play takes the newest run of the agent"
    assert summary["export"]["max_action_difference"] < 1e-4


@pytest.mark.parametrize(("task", "agent"), ISAACLAB_CASES)
def test_isaaclab_cli_trains_and_plays_every_entry_point(task, agent, starts, tmp_path, monkeypatch):
    common = ["--rl_library", "rsl_rl", "--task", task, "--agent", agent, *TINY, "--device", "cpu"]
    with chdir(tmp_path):
        assert isaaclab("train", [*common, "--max_iterations", "2", *_start(agent, starts[task], True)]) == 0
        from isaaclab_tasks.utils import load_cfg_from_registry

        experiment = load_cfg_from_registry(task, agent).experiment_name
        checkpoint = find_checkpoint([experiment])
        steps = []
        monkeypatch.setattr(isaaclab_play, "run_playback", lambda step, **kw: [step() or steps.append(1)
                                                                                for _ in range(5)])  # fmt: skip
        with torch.inference_mode():
            assert isaaclab("play", [*common, "--checkpoint", "latest"]) == 0
    assert Path(checkpoint).name == "model_1.pt" and len(steps) == 5
    assert checkpoint_kind(load_checkpoint(checkpoint), checkpoint) in ("ppo", "ppd", "distillation")
    assert (Path(checkpoint).parent / "exported" / "policy.onnx").is_file(), "Isaac Lab's play exports the policy"
