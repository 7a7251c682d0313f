"""Shared fixtures: run the project's scripts as a user would, in a scratch working directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPTS = REPO / "scripts"
TASK = "Quadcopter-Point-Ctrl"


def run_script(script: str, *args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``scripts/<script>`` with this interpreter in ``cwd``; return the completed process (text output)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean_error(proc: subprocess.CompletedProcess, pattern: str) -> None:
    """The script failed as bad input should: exit code 2, no traceback, a message matching ``pattern``."""
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert re.search(pattern, proc.stderr), proc.stderr[-2000:]


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """One scratch working directory (its ``logs/``) shared by the end-to-end tests of a session."""
    return tmp_path_factory.mktemp("distill_lab_runs")


@pytest.fixture(scope="session")
def teacher_run(workdir) -> Path:
    """A 2-iteration PPO teacher run of Quadcopter-Point-Ctrl (16 envs); returns its run folder."""
    proc = run_script(
        "rsl_rl/train.py",
        "--task",
        TASK,
        "--num_envs",
        "16",
        "--max_iterations",
        "2",
        "--run_name",
        "teacher",
        cwd=workdir,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    runs = list((workdir / "logs" / "rsl_rl" / "quadcopter_point_ctrl").glob("*_teacher"))
    assert len(runs) == 1
    return runs[0]
