"""Shared helpers: run the commands as a user would (in this process, or as scripts), in scratch folders only."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distill_lab.io import DistillLabError

REPO = Path(__file__).resolve().parents[3]
SCRIPTS = REPO / "scripts"
TASK = "Quadcopter-Point-Ctrl"
BLIND = "blind_rl"
DISTILL = "rsl_rl_distillation_cfg_entry_point"
DAGGER = "rsl_rl_dagger_cfg_entry_point"


@contextlib.contextmanager
def chdir(path: Path):
    """Work in ``path`` (runs write to ``path/logs``) while inside."""
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run(command: str, *argv: str, cwd: Path):
    """Call ``distill_lab.cli.<command>.main(argv)`` in this process from ``cwd``; return what it returns."""
    with chdir(cwd):
        return importlib.import_module(f"distill_lab.cli.{command}").main(list(argv))


def refused(command: str, *argv: str, cwd: Path, match: str) -> str:
    """The command stops with a :class:`DistillLabError` matching ``match``; return its message."""
    with pytest.raises(DistillLabError, match=match) as err:
        run(command, *argv, cwd=cwd)
    return str(err.value)


def run_script(script: str, *args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``scripts/<script>`` with this interpreter in ``cwd``; return the completed process (text output)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, str(SCRIPTS / script), *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def assert_clean_error(proc: subprocess.CompletedProcess, pattern: str) -> None:
    """The script failed as bad input should: exit code 2, no traceback, a message matching ``pattern``."""
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert re.search(pattern, proc.stderr), proc.stderr[-2000:]


def scalars(run_dir: Path, tag: str) -> list[float]:
    """The values a run logged to TensorBoard under ``tag``, in order."""
    from distill_lab.evaluation.report import read_scalars

    return [value for *_, value in read_scalars(str(run_dir)).get(tag, [])]


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """One scratch working directory (its ``logs/``) shared by the end-to-end tests of a session."""
    return tmp_path_factory.mktemp("distill_lab_runs")


@pytest.fixture(scope="session")
def teacher_run(workdir) -> Path:
    """A 2-iteration PPO teacher run of Quadcopter-Point-Ctrl (16 envs); returns its run folder."""
    return Path(run("train", "--task", TASK, "--num_envs", "16", "--max_iterations", "2", "--run_name", "teacher",
                    cwd=workdir))  # fmt: skip


def pytest_sessionstart(session) -> None:
    session.started = time.time()


def pytest_sessionfinish(session, exitstatus) -> None:
    """After a run of the whole suite (no paths or -k given), record its size and time in ``logs/pytest_session.json``
    (``bench/readme.py`` puts them in the README)."""
    worker = hasattr(session.config, "workerinput")  # an xdist worker; the controller records the whole run
    if worker or session.config.args_source != pytest.Config.ArgsSource.TESTPATHS or session.config.option.keyword:
        return
    import json
    import platform

    stats = session.config.pluginmanager.get_plugin("terminalreporter").stats
    counts = {k: len([r for r in stats.get(k, []) if getattr(r, "when", "call") in ("call", "setup")])
              for k in ("passed", "failed", "error", "skipped")}  # fmt: skip
    record = {"collected": sum(counts.values()), "passed": counts["passed"], "failed": counts["failed"],
              "errors": counts["error"], "skipped": counts["skipped"],
              "duration_s": round(time.time() - session.started, 1), "finished": time.strftime("%Y-%m-%d %H:%M"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores"}  # fmt: skip
    (REPO / "logs").mkdir(exist_ok=True)
    (REPO / "logs" / "pytest_session.json").write_text(json.dumps(record, indent=2))
