"""Scale-out with torchrun on CPUs (Gloo), 2 processes at tiny sizes: ranks stay bit-identical, one run folder is
written, and checkpoints move between distributed and single-process runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import DAGGER, SCRIPTS, TASK, run

from distill_lab.io import load_checkpoint, read_manifest


def torchrun(cwd: Path, *args: str) -> str:
    """``torchrun --nproc_per_node=2 scripts/rsl_rl/train.py --distributed ...`` in ``cwd``; its output."""
    cmd = [str(Path(sys.executable).parent / "torchrun"), "--standalone", "--nproc_per_node=2",
           str(SCRIPTS / "rsl_rl" / "train.py"), "--task", TASK, "--num_envs", "8", "--distributed", *args]  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True,
                          timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_two_processes_stay_bit_identical_and_write_one_run(tmp_path):
    agent = "rsl_rl_cfg_entry_point"  # RSL-RL's PPO here; the project's DAgger in the next test
    torchrun(tmp_path, "--agent", agent, "--max_iterations", "3")
    runs = [d for d in (tmp_path / "logs" / "rsl_rl").glob("*/*") if d.is_dir()]
    assert len(runs) == 1, runs
    manifest = read_manifest(runs[0])
    sha = manifest["ranks"]["policy_sha256"]
    assert manifest["ranks"]["world_size"] == 2 and len(sha) == 2 and sha[0] == sha[1], "ranks in sync, bit for bit"
    assert manifest["latest"]["total_env_steps"] == 3 * 24 * 8 * 2, "env steps of both ranks"
    assert not (runs[0] / "resume_state.pt").exists(), "exact resume is for one process; a distributed run says so"
    summary = run("play", "--task", TASK, "--agent", agent, "--num_envs", "4", "--num_steps", "10", cwd=tmp_path)
    assert summary["checkpoint"] == str(runs[0] / "model_2.pt"), "a distributed checkpoint plays in one process"


def test_checkpoints_move_between_one_and_two_processes(tmp_path):
    single = Path(run("train", "--task", TASK, "--agent", DAGGER, "--num_envs", "8", "--max_iterations", "2",
                      "--teacher_checkpoint", "pretrained", cwd=tmp_path))  # fmt: skip
    output = torchrun(tmp_path, "--agent", DAGGER, "--max_iterations", "2", "--resume", "--load_run", single.name)
    assert "--distributed: DAgger learns synchronously" in output, "the entry point's asynchronous default, not set"
    resumed = max((tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl_dagger").iterdir())
    manifest = read_manifest(resumed)
    assert manifest["start"] == {"checkpoint": str(single / "model_1.pt"), "role": "resume",
                                 "exact_resume": False}  # fmt: skip
    sha = manifest["ranks"]["policy_sha256"]
    assert manifest["ranks"]["world_size"] == 2 and sha[0] == sha[1], "DAgger's ranks in sync, bit for bit"
    assert load_checkpoint(str(resumed / "model_3.pt"))["iter"] == 3, "the distributed run continues after iteration 1"
    back = Path(run("train", "--task", TASK, "--agent", DAGGER, "--num_envs", "8", "--max_iterations", "1",
                    "--resume", "--load_run", resumed.name, cwd=tmp_path))  # fmt: skip
    assert load_checkpoint(str(back / "model_4.pt"))["iter"] == 4, "and a single process continues the distributed run"
