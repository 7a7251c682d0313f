"""Nothing lost: atomic checkpoints under SIGKILL and full disks, the run manifest, RNG state, determinism, and
clear errors for an unwritable log folder and non-finite observations."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from conftest import SCRIPTS, TASK, refused, run

from distill_lab.distillation.perf import PerfCounters
from distill_lab.io import DistillLabError, load_checkpoint, read_manifest
from distill_lab.runners.checkpointing import rng_state, set_rng_state
from distill_lab.runners.runner import DistillLabOnPolicyRunner


def _fake_runner(iteration: int, weights: torch.Tensor) -> SimpleNamespace:
    """What ``CheckpointingRunner.save`` reads from a runner: the algorithm's state, the iteration and the logger."""
    logger = SimpleNamespace(
        save_model=lambda *a: None, rewbuffer=[float(iteration)], lenbuffer=[10.0], tot_timesteps=100, tot_time=1.0
    )
    runner = SimpleNamespace(alg=SimpleNamespace(save=lambda: {"weights": weights}), logger=logger)
    runner.current_learning_iteration = iteration
    runner.perf = PerfCounters()
    runner._save = lambda path, infos: DistillLabOnPolicyRunner._save(runner, path, infos)
    runner._time_breakdown = lambda: DistillLabOnPolicyRunner._time_breakdown(runner)
    runner._update_manifest = lambda path: DistillLabOnPolicyRunner._update_manifest(runner, path)
    runner._log_new_clips = lambda: None
    return runner


def _save(runner, path) -> None:
    DistillLabOnPolicyRunner.save(runner, str(path))


def test_manifest_tracks_latest_and_best(tmp_path):
    for it, reward in ((0, 1.0), (1, 5.0), (2, 3.0)):
        runner = _fake_runner(it, torch.zeros(2))
        runner.logger.rewbuffer = [reward]
        _save(runner, tmp_path / f"model_{it}.pt")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["latest"]["checkpoint"] == "model_2.pt" and manifest["latest"]["iteration"] == 2
    assert manifest["best"]["checkpoint"] == "model_1.pt" and manifest["best"]["mean_reward"] == 5.0
    assert [e["checkpoint"] for e in manifest["checkpoints"]] == ["model_0.pt", "model_1.pt", "model_2.pt"]
    assert not list(tmp_path.glob("*.tmp"))


def test_full_disk_during_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model_5.pt"
    _save(_fake_runner(5, torch.ones(3)), path)

    def no_space(obj, f):
        open(f, "wb").write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", no_space)
    with pytest.raises(DistillLabError, match="could not write .*model_5.pt .*No space left on device"):
        _save(_fake_runner(6, torch.zeros(3)), path)
    monkeypatch.undo()
    assert torch.equal(load_checkpoint(str(path))["weights"], torch.ones(3)), "the previous file is untouched"
    assert not list(tmp_path.glob("*.tmp")), "the partial file is removed"


KILL_MID_SAVE = """
import os, signal, sys, torch
from test_resilience import _fake_runner, _save
real_save = torch.save
def save_then_die(obj, f):
    with open(f, "wb") as out:
        out.write(b"PK half a checkpoint")
        out.flush()
        os.kill(os.getpid(), signal.SIGKILL)
torch.save = save_then_die
_save(_fake_runner(1, torch.zeros(4)), sys.argv[1])
"""


def test_sigkill_mid_save_keeps_previous_checkpoint(tmp_path):
    path = tmp_path / "model_1.pt"
    _save(_fake_runner(1, torch.arange(4.0)), path)
    proc = subprocess.run(
        [sys.executable, "-c", KILL_MID_SAVE, str(path)], cwd=os.path.dirname(__file__), capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / "model_1.pt.tmp").exists(), "the process died while writing"
    assert torch.equal(load_checkpoint(str(path))["weights"], torch.arange(4.0))
    assert json.loads((tmp_path / "manifest.json").read_text())["latest"]["checkpoint"] == "model_1.pt"


def test_rng_state_round_trips():
    import random

    import numpy as np

    torch.manual_seed(3), np.random.seed(3), random.seed(3)
    state = rng_state()
    first = (torch.rand(3), np.random.rand(3), random.random())
    set_rng_state(state)
    again = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(first[0], again[0]) and np.array_equal(first[1], again[1]) and first[2] == again[2]


def _train(tmp_path, agent: str, name: str, *extra: str) -> Path:
    """Train on 4 quadcopters with seed 7 (a DAgger agent from the shipped teacher, synchronous: an asynchronous run is
    not bit-for-bit repeatable); return the run folder."""
    teacher = [] if agent == "rsl_rl_cfg_entry_point" else ["--teacher_checkpoint", "pretrained"]
    teacher += ["agent.algorithm.asynchronous=false"] if "dagger" in agent else []
    return Path(run("train", "--task", TASK, "--agent", agent, "--num_envs", "4", "--seed", "7", "--run_name", name,
                    *teacher, *extra, cwd=tmp_path))  # fmt: skip


def _models(path: Path) -> dict[str, torch.Tensor]:
    ckpt = load_checkpoint(str(path))
    return {f"{k}.{p}": v for k in ("actor_state_dict", "critic_state_dict", "student_state_dict")
            for p, v in ckpt.get(k, {}).items()}  # fmt: skip


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys() and a
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)


@pytest.mark.parametrize("agent", ["rsl_rl_cfg_entry_point", "rsl_rl_dagger_cfg_entry_point"])
def test_resumed_run_matches_an_uninterrupted_one(tmp_path, agent):
    """Same seed, same parameters; and 2 iterations + resume 2 gives bit-for-bit the run of 4 (PPO; DAgger with a
    recurrent student and its aggregation buffer)."""
    full = _train(tmp_path, agent, "full", "--max_iterations", "4", "agent.save_interval=1")
    half = _train(tmp_path, agent, "half", "--max_iterations", "2")
    _assert_same(_models(full / "model_1.pt"), _models(half / "model_1.pt"))  # determinism
    assert load_checkpoint(str(half / "model_1.pt"))["rng_state"]
    assert (half / "resume_state.pt").exists()
    resume = ["--max_iterations", "2", "--resume", "--load_run", half.name, "--checkpoint", "model_1.pt"]
    resumed = _train(tmp_path, agent, "resumed", *resume)
    start = read_manifest(resumed)["start"]
    assert start == {"checkpoint": str(half / "model_1.pt"), "role": "resume", "exact_resume": True}
    _assert_same(_models(full / "model_3.pt"), _models(resumed / "model_3.pt"))
    with pytest.raises(AssertionError):  # training moved the parameters, so the comparison above could fail
        _assert_same(_models(full / "model_1.pt"), _models(full / "model_3.pt"))
    if agent == "rsl_rl_cfg_entry_point":  # without the saved episodes the same resume is not exact, and says so
        (half / "resume_state.pt").unlink()
        fresh = _train(tmp_path, agent, "fresh", *resume)
        assert read_manifest(fresh)["start"]["exact_resume"] is False
        with pytest.raises(AssertionError):
            _assert_same(_models(full / "model_3.pt"), _models(fresh / "model_3.pt"))


def test_killed_run_resumes_from_its_last_checkpoint(tmp_path):
    args = ["--task", TASK, "--num_envs", "4", "--seed", "3"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        str(SCRIPTS / "rsl_rl" / "train.py"),
        *args,
        "--max_iterations",
        "200",
        "--run_name",
        "killed",
        "agent.save_interval=1",
    ]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl"
    deadline = time.time() + 300
    manifest = None
    while time.time() < deadline and proc.poll() is None:
        runs = list(root.glob("*_killed"))
        if runs and (runs[0] / "manifest.json").exists():
            manifest = json.loads((runs[0] / "manifest.json").read_text())
            if manifest["latest"]["iteration"] >= 3:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert manifest and manifest["latest"]["iteration"] >= 3, "the run saved before it was killed"
    run_dir = next(root.glob("*_killed"))
    manifest = read_manifest(run_dir)
    last = manifest["latest"]["iteration"]
    assert load_checkpoint(str(run_dir / manifest["latest"]["checkpoint"]))["iter"] == last
    resumed = Path(run("train", *args, "--resume", "--load_run", run_dir.name, "--max_iterations", "2", "--run_name",
                       "resumed", cwd=tmp_path))  # fmt: skip
    manifest = read_manifest(resumed)
    assert manifest["start"]["checkpoint"] == str(run_dir / f"model_{last}.pt")
    assert manifest["latest"]["iteration"] == last + 2


def test_unwritable_log_folder_is_a_clear_error(tmp_path):
    (tmp_path / "logs").write_text("a file where the log folder should be")
    refused("train", "--task", TASK, "--num_envs", "4", "--max_iterations", "1", cwd=tmp_path,
            match="cannot write to .*logs/rsl_rl/quadcopter_point_ctrl")  # fmt: skip
    assert (tmp_path / "logs").read_text().startswith("a file"), "nothing overwritten"


def test_non_finite_observation_stops_training_clearly(tmp_path):
    refused("train", "--task", TASK, "--num_envs", "4", "--max_iterations", "3",
            "env.observations.policy.lin_vel.scale=1e400", cwd=tmp_path,
            match=r"non-finite \(NaN/Inf\) observation at env step 1: group 'policy', term 'lin_vel'")  # fmt: skip
