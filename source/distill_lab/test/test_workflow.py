"""The user's path end to end at tiny sizes, with the design's commands verbatim: teacher -> student (``--resume
--load_run <teacher run> --checkpoint model_N.pt``) -> play and export -> evaluate -> pipeline; and clear errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import onnx
import pytest
import torch
from conftest import DAGGER, DISTILL, TASK, assert_clean_error, refused, run, run_script, scalars

from distill_lab.distillation import DAGGER_BEST
from distill_lab.io import load_checkpoint, read_manifest
from distill_lab.pretrained import PRETRAINED_DIR, pretrained_teacher


@pytest.fixture(scope="module")
def student_run(workdir, teacher_run) -> Path:
    """The design's command: distill from the teacher run, named as Isaac Lab users name it (10 iterations)."""
    return Path(run("train", "--task", TASK, "--agent", DISTILL, "--num_envs", "16", "--max_iterations", "10",
                    "--resume", "--load_run", teacher_run.name, "--checkpoint", "model_1.pt", "agent.save_interval=5",
                    cwd=workdir))  # fmt: skip


def test_teacher_run_writes_checkpoints_manifests_and_params(teacher_run):
    for name in ("model_1.pt", "params/env.yaml", "params/agent.yaml", "manifest.json", "run.json"):
        assert (teacher_run / name).is_file(), name
    assert read_manifest(teacher_run)["latest"]["checkpoint"] == "model_1.pt"
    assert json.loads((teacher_run / "run.json").read_text())["metadata"]["agent"] == "rsl_rl_cfg_entry_point"


def test_student_distills_from_the_teacher_run_and_its_loss_falls(student_run, teacher_run):
    assert student_run.parent.name == "quadcopter_point_ctrl_distillation", "found in the teacher's experiment"
    ckpt = load_checkpoint(str(student_run / "model_9.pt"))
    teacher = load_checkpoint(str(teacher_run / "model_1.pt"))["actor_state_dict"]
    assert all(torch.equal(v, ckpt["teacher_state_dict"][k]) for k, v in teacher.items())
    losses = scalars(student_run, "Loss/behavior")
    assert len(losses) == 10 and sum(losses[-3:]) / 3 < 0.7 * sum(losses[:3]) / 3, losses
    latest = read_manifest(student_run)["latest"]
    assert latest["gradient_updates"] == 10 * 2, "stock Distillation: 2 epochs x 24 steps / gradient_length 24"
    assert latest["total_env_steps"] == 10 * 24 * 16


def test_play_with_no_checkpoint_plays_and_exports_the_newest_student(workdir, student_run):
    summary = run("play", "--task", TASK, "--agent", DISTILL, "--num_envs", "4", "--num_steps", "60", cwd=workdir)
    assert summary["checkpoint"] == str(student_run / "model_9.pt") and summary["episodes"] >= 0
    export = summary["export"]
    assert export["max_action_difference"] < 1e-4 and Path(export["jit"]).parent == student_run / "exported"
    assert not list((student_run / "exported").glob("*.tmp")), "exports are written to a temporary file and renamed"
    model = onnx.load(export["onnx"])
    meta = {p.key: json.loads(p.value) for p in model.metadata_props}
    assert [o["term"] for o in meta["observations"]][:2] == ["target_pos_error", "rotation_matrix"]
    assert meta["obs_dim"] == 22 and meta["control_rate_hz"] == 50.0 and meta["recurrent_state"]["type"] == "gru"
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    deploy = run_script("deploy/run_onnx.py", export["onnx"], "--steps", "20", "--batch", "3", cwd=workdir)
    assert deploy.returncode == 0 and "ran 20 steps, batch 3" in deploy.stdout, deploy.stderr[-2000:]


def test_resume_continues_the_newest_student_at_the_next_iteration(workdir, student_run):
    resumed = Path(run("train", "--task", TASK, "--agent", DISTILL, "--num_envs", "16", "--max_iterations", "1",
                       "--resume", cwd=workdir))  # fmt: skip
    assert sorted(p.name for p in resumed.glob("model_*.pt")) == ["model_10.pt"]
    ckpt = load_checkpoint(str(resumed / "model_10.pt"))
    assert ckpt["iter"] == 10 and "student_state_dict" in ckpt


def test_dagger_is_teacher_forced_first_and_resumes_exactly_where_it_stopped(workdir, teacher_run):
    args = ["--task", TASK, "--agent", DAGGER, "--num_envs", "16", "agent.algorithm.learning_rate_schedule=linear",
            "agent.algorithm.learning_rate_decay_fraction=1"]  # fmt: skip
    per_iteration = DAGGER_BEST.num_learning_epochs * DAGGER_BEST.num_mini_batches  # the entry point's
    first = Path(run("train", *args, "--max_iterations", "3", "--teacher_checkpoint", str(teacher_run / "model_1.pt"),
                     cwd=workdir))  # fmt: skip
    assert scalars(first, "Loss/beta")[0] == 1.0, "the first iterations are teacher-forced"
    assert read_manifest(first)["latest"]["gradient_updates"] == 3 * per_iteration, "epochs x minibatches"
    lr, final = DAGGER_BEST.learning_rate, DAGGER_BEST.final_learning_rate
    falls = [lr + (final - lr) * k / 3 for k in range(3)]
    assert scalars(first, "Loss/learning_rate") == pytest.approx(falls), "lr -> final_learning_rate over the run"
    resumed = Path(run("train", *args, "--max_iterations", "1", "--resume", cwd=workdir))
    assert sorted(p.name for p in resumed.glob("model_*.pt")) == ["model_3.pt"], "resume continues at iteration 3"
    assert read_manifest(resumed)["latest"]["gradient_updates"] == 4 * per_iteration, "the count goes on"
    assert scalars(resumed, "Loss/learning_rate")[-1] == pytest.approx(lr + (final - lr) * 3 / 4), "and the schedule"
    assert not list(resumed.glob("*.tmp")), "checkpoints are written atomically"


def test_evaluate_repeats_exactly_on_the_same_seed(workdir, teacher_run):
    ckpt = str(teacher_run / "model_1.pt")
    rows = run("evaluate", "--task", TASK, "--checkpoints", ckpt, ckpt, "--num_envs", "8", "--num_steps", "60",
               "--seed", "5", "--output", "eval.json", cwd=workdir)  # fmt: skip
    assert json.loads((workdir / "eval.json").read_text()) == rows
    timings = [row.pop("profile") for row in rows]  # latency is measured, so it varies; the rest must not
    assert len(rows) == 2 and rows[0] == rows[1] and rows[0]["episodes"] > 0
    assert timings[0]["parameters"] == timings[1]["parameters"]


def test_shipped_teacher_is_small_documented_and_distillable(tmp_path):
    path = Path(pretrained_teacher(TASK))
    card = json.loads(path.with_name("teacher.json").read_text())
    assert path.stat().st_size <= 1 << 20
    assert {"command", "commit", "training_wall_time_s", "evaluation"} <= set(card)
    assert card["evaluation"][0]["success_rate"] >= 0.9
    run_dir = Path(run("train", "--task", TASK, "--agent", DISTILL, "--num_envs", "8", "--max_iterations", "1",
                       "--teacher_checkpoint", "pretrained", cwd=tmp_path))  # fmt: skip
    teacher = load_checkpoint(str(path))["actor_state_dict"]
    stored = load_checkpoint(str(run_dir / "model_0.pt"))["teacher_state_dict"]
    assert all(torch.equal(v, stored[k]) for k, v in teacher.items())


def test_playing_a_shipped_teacher_writes_under_logs_never_into_the_package(tmp_path):
    before = sorted(p for p in Path(PRETRAINED_DIR).rglob("*") if "__pycache__" not in p.parts)
    modes = {p: p.stat().st_mode for p in [Path(PRETRAINED_DIR), *before] if p.is_dir()}
    try:
        for folder in modes:
            folder.chmod(stat.S_IREAD | stat.S_IEXEC)
        summary = run("play", "--task", TASK, "--checkpoint", "pretrained", "--num_envs", "4", "--num_steps", "30",
                      cwd=tmp_path)  # fmt: skip
    finally:
        for folder, mode in modes.items():
            folder.chmod(mode)
    assert sorted(p for p in Path(PRETRAINED_DIR).rglob("*") if "__pycache__" not in p.parts) == before
    exported = Path(summary["export"]["onnx"])
    assert exported.parent == tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl" / "pretrained_teacher" / "exported"


def test_bad_input_is_a_clear_error(workdir, teacher_run, student_run):
    refused("train", "--task", "Quadcopter-Point", cwd=workdir, match="unknown task 'Quadcopter-Point'")
    refused("train", "--task", TASK, "--agent", "rsl_rl_foo_cfg_entry_point", cwd=workdir,
            match="no agent entry point.*rsl_rl_distillation_cfg_entry_point")  # fmt: skip
    refused(
        "train", "--task", TASK, "--agent", DAGGER, cwd=workdir, match="starts from a teacher.*--teacher_checkpoint"
    )
    refused("train", "--task", TASK, "--agent", DISTILL, "--teacher_checkpoint", "no/such/model.pt", cwd=workdir,
            match="checkpoint not found")  # fmt: skip
    refused("train", "--task", TASK, "--agent", DISTILL, "--num_envs", "4", "--teacher_checkpoint",
            str(teacher_run / "model_1.pt"), "agent.teacher.hidden_dims=[64,64]", cwd=workdir,
            match=r"layer 'mlp\.0\.weight'.*checkpoint shape \(128, 36\).*model cfg shape \(64, 36\)")  # fmt: skip
    refused("train", "--task", TASK, "--num_envs", "0", cwd=workdir, match="--num_envs must be a positive integer")
    refused("play", "--task", TASK, "--checkpoint", str(student_run / "model_9.pt"), cwd=workdir,
            match="holds a distilled student.*plays a PPO policy")  # fmt: skip
    refused("train", "--task", TASK, "--agent", "rsl_rl_finetune_cfg_entry_point", "--checkpoint",
            str(teacher_run / "model_1.pt"), cwd=workdir, match="does not match the model cfg")  # fmt: skip


def test_a_script_fails_with_exit_code_2_and_one_line(tmp_path):
    assert_clean_error(run_script("rsl_rl/train.py", "--task", "Quadcopter-Point", cwd=tmp_path), "unknown task")


def test_wandb_logger_runs_offline(tmp_path):
    proc = run_script("rsl_rl/train.py", "--task", TASK, "--num_envs", "8", "--max_iterations", "1", "--logger",
                      "wandb", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert list((tmp_path / "wandb").glob("offline-run-*")), "W&B logs offline without credentials"


def test_pipeline_runs_end_to_end_with_the_overrides_in_every_stage_and_skips_done_stages(tmp_path):
    args = ["--task", TASK, "--name", "pytest", "--student_iterations", "2", "--eval_envs", "8", "--no_video",
            "--no_sim2sim", "--sweep", "env.scene.num_envs=16", "env.episode_length_s=1"]  # fmt: skip
    evaluation = run("pipeline", *args, cwd=tmp_path)
    folder = tmp_path / "logs" / "pipeline" / TASK / "pytest"
    state = json.loads((folder / "state.json").read_text())
    student_run = Path(state["student"]["run_dir"])
    assert "num_envs: 16" in (student_run / "params" / "env.yaml").read_text()
    for who in ("teacher", "student"):  # 1 s episodes at 50 Hz reach the evaluation too
        assert evaluation[who]["mean_length"] <= 50 and evaluation[who]["num_envs"] == 8
    report = (folder / "report.md").read_text()
    assert f"{evaluation['teacher']['mean_return']:.4g}" in report and f"{evaluation['return_ratio']:.3f}" in report
    assert (folder / "report.html").stat().st_size > 10_000, "the HTML embeds its plots"
    student = evaluation["student"]
    assert 0 <= student["action_mae"] <= student["action_rmse"], "the student is compared with its teacher"
    assert student["profile"]["parameters"] > 1000 and student["profile"]["latency_ms_batch1024"] > 0
    assert len(student["trajectory"]["position"]) == len(student["trajectory"]["target"]) > 0
    values = [p["value"] for p in student["sweep"]["points"]]
    assert min(values) < student["sweep"]["training_range"][0] and max(values) > student["sweep"]["training_range"][1]
    for plot in ("student_vs_teacher", "trajectory", "robustness", "learning_curves"):
        assert f"({plot}.png)" in report and (folder / f"{plot}.png").stat().st_size > 5_000
    assert state["export"]["parity_max_abs_diff"] < 1e-4 and os.path.exists(state["export"]["onnx"])
    assert (folder / "student.log").stat().st_size > 0, "each stage logs to its file"
    assert "sim2sim" not in state and "Newton vs MuJoCo" not in report, "--no_sim2sim (the Go1's pipeline runs it)"
    mtime = (folder / "evaluation.json").stat().st_mtime
    assert run("pipeline", *args, cwd=tmp_path) == evaluation
    assert (folder / "evaluation.json").stat().st_mtime == mtime, "finished stages are skipped"
