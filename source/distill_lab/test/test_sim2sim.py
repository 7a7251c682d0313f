"""Sim-to-sim: the exported quadcopter student flies in MuJoCo on the quadrotor's twin with no Isaac Lab or torch in
the process, writes its report and video, and a wrong MJCF or a missing metadata field is a one-line error (exit 2);
the pose the wrench and the observation read is the one MuJoCo's step integrated to; ``--perturb`` moves start states
by at most its size (0: the unperturbed run, exactly; so does ``--motor_dt`` of one physics step), and a negative
size, a non-positive motor time constant or a motor period that is no whole number of physics steps is refused in
one line.

The student is ``data/quadcopter_point_ctrl_dagger_student.onnx``, the shipped main-job student exported as a user
would (byte for byte):

    python scripts/rsl_rl/export.py --task Quadcopter-Point-Ctrl --agent rsl_rl_dagger_cfg_entry_point \\
        --checkpoint pretrained --formats onnx --out <dir>

Exporting takes about 35 s here, so the file is kept; its metadata version must be the exporter's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SCRIPTS, assert_clean_error

STUDENT = Path(__file__).parent / "data" / "quadcopter_point_ctrl_dagger_student.onnx"
FORBIDDEN = ("isaaclab", "isaaclab_tasks", "isaaclab_rl", "isaaclab_newton", "torch", "warp", "newton")
"""Packages the deployment process must not import."""

WATCH_IMPORTS = """
import atexit, json, runpy, sys
out, sys.argv = sys.argv[1], sys.argv[2:]
forbidden = set(sys.argv.pop(0).split(","))
imported = lambda: sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
atexit.register(lambda: open(out, "w").write(json.dumps(imported())))
runpy.run_path(sys.argv[0], run_name="__main__")
"""
"""Runs a script and, at exit, writes which forbidden modules it imported."""


def env() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def sim2sim(*args: str, cwd: Path, modules: Path | None = None) -> subprocess.CompletedProcess:
    """``scripts/deploy/sim2sim.py <args>`` in a fresh interpreter (recording its imports to ``modules``)."""
    script = [str(SCRIPTS / "deploy" / "sim2sim.py"), *args]
    cmd = [sys.executable, "-c", WATCH_IMPORTS, str(modules), ",".join(FORBIDDEN), *script] if modules else [
        sys.executable, *script]  # fmt: skip
    return subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Path:
    """The quadrotor's MJCF twin, written by the committed command from the task's vehicle constants."""
    path = tmp_path_factory.mktemp("twin") / "crazyflie.xml"
    cmd = [sys.executable, "-m", "distill_lab.assets.quadrotor", "--out", str(path)]
    done = subprocess.run(cmd, cwd=REPO, env={**env(), "DISTILL_LAB_TASKS": "0"}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return path


def test_student_file_is_current():
    exporter = (REPO / "source/distill_lab/distill_lab/evaluation/metadata.py").read_text()
    version = int(re.search(r"^METADATA_VERSION = (\d+)", exporter, re.M).group(1))
    from distill_lab.deploy.contract import read_contract

    assert read_contract(str(STUDENT))["metadata_version"] == version, "re-export the student (see the docstring)"


def test_student_flies_in_mujoco_without_isaac_lab(twin, tmp_path):
    modules = tmp_path / "modules.json"
    out = tmp_path / "out"
    done = sim2sim(str(STUDENT), "--mjcf", str(twin), "--num_targets", "2", "--steps", "200", "--out", str(out),
                   "--video", "target_1", cwd=tmp_path, modules=modules)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(modules.read_text()) == [], "the deployment process imported Isaac Lab or torch"
    report = json.loads((out / "report.json").read_text())
    assert report["task"] == "Quadcopter-Point-Ctrl"
    assert report["steps"] == 200 and report["duration_s"] == pytest.approx(4.0)
    assert report["substeps"] * report["physics"]["timestep"] == pytest.approx(0.02)  # 50 Hz control
    summary = report["summary"]
    assert summary["episodes"] == 2 and summary["falls"] == 0
    assert summary["success_rate"] == 1.0  # the student reaches both targets within 4 s, as in Newton
    for episode in report["episodes"]:
        assert {"name", "success", "fell", "final_distance", "final_speed", "return", "return_terms"} <= set(episode)
        assert episode["final_distance"] < 0.1
    assert report["video"] == str(out / "target_1.gif") and os.path.getsize(report["video"]) > 0


@pytest.mark.parametrize(
    "case, match",
    [
        ("missing", r"expected a robot MJCF at .*missing\.xml, found nothing"),
        (
            "no_freejoint",
            r"expected a free-floating robot \(a body with a <freejoint/>\) in no_freejoint\.xml, found "
            r"none; its bodies: crazyflie",
        ),
        (
            "timestep",
            r"expected the policy's control period 0\.02 s \(50 Hz\) to be a whole multiple of the physics "
            r"time step of timestep\.xml, 0\.003 s",
        ),
    ],
)
def test_wrong_mjcf_is_a_one_line_error(twin, tmp_path, case, match):
    mjcf = tmp_path / f"{case}.xml"
    text = twin.read_text()
    if case == "no_freejoint":
        mjcf.write_text(text.replace('<freejoint name="root"/>', ""))
    elif case == "timestep":
        mjcf.write_text(re.sub(r'<option timestep="[^"]+"', '<option timestep="0.003"', text))
    done = sim2sim(str(STUDENT), "--mjcf", str(mjcf), "--video", "none", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_clean_error(done, match)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_policy_without_a_metadata_field_is_a_one_line_error(twin, tmp_path):
    import onnx

    model = onnx.load(str(STUDENT))
    kept = [p for p in model.metadata_props if p.key != "control_rate_hz"]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    policy = tmp_path / "policy.onnx"
    onnx.save(model, str(policy))
    done = sim2sim(str(policy), "--mjcf", str(twin), "--video", "none", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert_clean_error(done, r"expected policy\.onnx's metadata to have 'control_rate_hz', found none; re-export it")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def _spinning_start() -> dict:
    """A start state flying and spinning (so that a physics step moves the pose noticeably)."""
    return {"root_pos": [0.1, -0.2, 1.0], "root_quat_xyzw": [0.0, 0.0, 0.0, 1.0],
            "root_lin_vel_w": [0.5, 0.0, 0.2], "root_ang_vel_w": [1.0, -2.0, 3.0]}  # fmt: skip


def test_poses_are_current_after_a_step(twin):
    """The wrench and the observation read the pose MuJoCo integrated to, not the one before its last step."""
    import mujoco
    import numpy as np

    from distill_lab.deploy.contract import read_contract
    from distill_lab.deploy.runner import Episode, MjEnv, command_kind
    from distill_lab.deploy.scene import build_scene

    contract = read_contract(str(STUDENT))
    env = MjEnv(build_scene(str(twin), contract), contract)
    env.reset(Episode("spin", _spinning_start(), {command_kind(contract)[1]: np.array([0.0, 0.0, 1.0])}))
    env.step(np.zeros(4))
    expected = np.zeros(9)
    mujoco.mju_quat2Mat(expected, env.robot.data.qpos[3:7])
    assert np.abs(env.robot.rotation().reshape(-1) - expected).max() < 1e-12


def test_perturb_moves_start_states_by_at_most_eps():
    import numpy as np

    from distill_lab.deploy.runner import Episode
    from distill_lab.deploy.sim2sim import PERTURBED, perturb_starts

    episodes = [Episode(f"e{i}", _spinning_start(), {"target": np.zeros(3)}) for i in range(3)]
    assert perturb_starts(episodes, 0.0, seed=0) == episodes
    moved = perturb_starts(episodes, 1e-5, seed=0)
    assert [e.start_state for e in moved] == [e.start_state for e in perturb_starts(episodes, 1e-5, seed=0)]
    for before, after in zip(episodes, moved, strict=True):
        diff = np.array([np.subtract(after.start_state[k], before.start_state[k]) for k in PERTURBED])
        assert 0.0 < np.abs(diff).max() <= 1e-5
        assert after.start_state["root_quat_xyzw"] == before.start_state["root_quat_xyzw"]


def test_neutral_perturb_and_motor_dt_reproduce_the_run_and_bad_values_are_refused(twin, tmp_path):
    from distill_lab.deploy import sim2sim as deploy
    from distill_lab.io import DistillLabError

    def returns(*flags: str) -> list[dict]:
        report = deploy.main([str(STUDENT), "--mjcf", str(twin), "--num_targets", "2", "--steps", "40",
                              "--video", "none", "--out", str(tmp_path / "out"), *flags])  # fmt: skip
        return [e["return_terms"] for e in report["episodes"]]

    plain = returns()
    assert returns("--perturb", "0") == plain
    assert returns("--motor_dt", "0.005") == plain  # the twin's own physics step
    assert returns("--perturb", "1e-3") != plain
    assert returns("--motor_dt", "0.01") != plain
    with pytest.raises(DistillLabError, match=r"^expected --perturb to be a size >= 0, found -1e-05$"):
        returns("--perturb=-1e-5")
    with pytest.raises(DistillLabError, match=r"^expected --motor_time_constant > 0 \[s\], found 0\.0$"):
        returns("--motor_time_constant", "0")
    steps = r"^expected --motor_dt to be a whole number of physics steps of 0\.005 s, found 0\.0075 s$"
    with pytest.raises(DistillLabError, match=steps):
        returns("--motor_dt", "0.0075")
