"""Watching a policy on a CPU: play.py --video / --compare_teacher write moving, non-blank videos, and --viz viser
serves a page that headless chromium renders (WebGL in software) and that changes while the policy plays.

These tests need the Debian packages that scripts/setup.sh installs (xvfb, Mesa, chromium); they skip only when
those binaries are absent.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from conftest import DISTILL, SCRIPTS, TASK, refused, run, run_script

LENGTH = 30
"""Recorded env steps per clip (0.6 s of the quadcopter at 50 Hz)."""


def _needs(*binaries: str) -> None:
    missing = [b for b in binaries if shutil.which(b) is None]
    if missing:
        pytest.skip(f"system binaries {missing} absent; 'bash scripts/setup.sh' (as root) installs them")


def _summary(proc) -> dict:
    """The JSON summary play.py prints last (``[RESULT] {...}``)."""
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.split("[RESULT] ")[-1].splitlines()[0])


def _frames(path: str) -> list[np.ndarray]:
    from distill_lab.evaluation.viz import read_frames

    return [f.astype(np.float32) for f in read_frames(path)[0]]


def _is_red(frame: np.ndarray) -> np.ndarray:
    """Pixels of the red target marker."""
    return (frame[..., 0] > 150) & (frame[..., 1] < 80) & (frame[..., 2] < 80)


def test_unknown_viewer_lists_the_choices(workdir):
    proc = run_script("rsl_rl/play.py", "--task", TASK, "--viz", "unknown", cwd=workdir)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "invalid choice: 'unknown'" in proc.stderr and "'viser'" in proc.stderr


def test_compare_teacher_needs_a_student(workdir, teacher_run):
    refused(
        "play", "--task", TASK, "--compare_teacher", cwd=workdir, match=f"--compare_teacher plays a student.*{DISTILL}"
    )


def test_video_without_xvfb_names_the_package(workdir, teacher_run):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PATH"] = os.path.dirname(sys.executable)  # no /usr/bin: Xvfb is "missing"
    env["GIT_PYTHON_REFRESH"] = "quiet"  # GitPython (imported by rsl_rl) wants git on PATH
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "rsl_rl/play.py"), "--task", TASK, "--video", "--num_envs", "2"],
        cwd=workdir, env={**env, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "'xvfb'" in proc.stderr and "scripts/setup.sh" in proc.stderr


def test_video_of_a_teacher_moves_and_shows_the_target(workdir, teacher_run):
    _needs("Xvfb")
    proc = run_script(
        "rsl_rl/play.py", "--task", TASK, "--checkpoint", str(teacher_run / "model_1.pt"), "--num_envs", "2",
        "--video", "--video_length", str(LENGTH), cwd=workdir,
    )  # fmt: skip
    video = _summary(proc)["video"]
    assert _summary(proc)["export"]["max_action_difference"] < 1e-4, "exported from the recorded play (the pipeline)"
    mp4 = Path(video["mp4"])
    assert mp4.parent == teacher_run / "videos" / "play" and mp4.name == "clip_model_1_0000.mp4"
    frames = _frames(str(mp4))
    # Isaac Lab's recorder captures one frame per env step; moviepy 1.0.3 repeats the last frame once
    assert len(frames) in (LENGTH, LENGTH + 1) and video["fps"] == 50.0
    first, last = frames[0], frames[LENGTH - 1]
    assert first.shape == (480, 640, 3)
    assert first.std() > 10, "a rendered scene, not a blank frame"
    assert np.abs(first - last).mean() > 0.2, "the quadcopters move"
    assert _is_red(first).sum() > 20, "the target point is drawn as a red marker"
    gif = Path(video["gif"])
    from PIL import Image

    with Image.open(gif) as image:
        assert image.n_frames == (len(frames) + 1) // 2 and image.width == 400
    assert gif.stat().st_size < 2_000_000


def test_two_recordings_in_one_process_share_one_display(workdir, teacher_run):
    _needs("Xvfb")
    flags = ["--task", TASK, "--checkpoint", str(teacher_run / "model_1.pt"), "--num_envs", "2", "--video",
             "--video_length", "20", "--no_export"]  # fmt: skip
    for _ in range(2):  # as the pipeline benchmark does: the second clip must not talk to a stopped X server
        video = run("play", *flags, cwd=workdir)["video"]
        assert Path(video["mp4"]).stat().st_size > 0 and Path(video["gif"]).is_file()


@pytest.fixture(scope="module")
def student_checkpoint(workdir, teacher_run) -> Path:
    """A 1-iteration GRU student of the tiny teacher (its checkpoint holds the teacher too)."""
    return Path(run("train", "--task", TASK, "--agent", DISTILL, "--num_envs", "4", "--max_iterations", "1",
                    "--teacher_checkpoint", str(teacher_run / "model_1.pt"), cwd=workdir)) / "model_0.pt"  # fmt: skip


def test_compare_teacher_starts_both_from_the_same_state(workdir, student_checkpoint):
    _needs("Xvfb")
    proc = run_script(
        "rsl_rl/play.py", "--task", TASK, "--agent", DISTILL, "--checkpoint", str(student_checkpoint),
        "--num_envs", "2", "--compare_teacher", "--video_length", str(LENGTH), "--no_export", "--seed", "5",
        "--camera_distance", "2.25",  # far enough that the target point is in view
        cwd=workdir,
    )  # fmt: skip
    summary = _summary(proc)
    video = summary["video"]
    assert "teacher" in summary
    student, teacher, both = (_frames(video[k]) for k in ("student_mp4", "teacher_mp4", "mp4"))
    assert len(student) == len(teacher) == len(both) >= LENGTH
    assert both[0].shape == (480, 2 * 640 + 8, 3)
    start = np.abs(student[0] - teacher[0]).mean()
    end = np.abs(student[LENGTH - 1] - teacher[LENGTH - 1]).mean()
    assert start < 0.3 * end, f"identical initial states, then two policies diverge ({start:.3f} vs {end:.3f})"
    target_s, target_t = (np.argwhere(_is_red(f)).mean(axis=0) for f in (student[0], teacher[0]))
    assert np.abs(target_s - target_t).max() < 1.5, "the same target point"
    assert Path(video["gif"]).stat().st_size < 2_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scene_drawn(shot: np.ndarray) -> bool:
    """WebGL drew the ground left of Isaac Lab's panel (a page without WebGL stays white there)."""
    return bool((shot[:, : int(0.6 * shot.shape[1])].mean(axis=-1) < 245).mean() > 0.3)


def _screenshots(url: str, count: int, gap_s: float, size=(960, 600)) -> list[np.ndarray]:
    """Open ``url`` once in headless chromium; once the scene is drawn (at most 60 s), take ``count`` screenshots
    ``gap_s`` apart (Chrome DevTools protocol)."""
    import imageio.v2 as imageio
    from websockets.sync.client import connect

    profile = tempfile.mkdtemp(prefix="chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().count("\n"):
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(p for p in pages if p["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=2**27) as ws:
            calls = iter(range(1, 10**6))

            def call(method: str, **params):
                ident = next(calls)
                ws.send(json.dumps({"id": ident, "method": method, "params": params}))
                while (reply := json.loads(ws.recv())).get("id") != ident:
                    pass
                assert "error" not in reply, reply
                return reply["result"]

            call("Emulation.setDeviceMetricsOverride", width=size[0], height=size[1], deviceScaleFactor=1, mobile=False)
            call("Page.enable")
            call("Page.navigate", url=url)
            while json.loads(ws.recv(timeout=60)).get("method") != "Page.loadEventFired":
                pass

            def screenshot() -> np.ndarray:
                png = base64.b64decode(call("Page.captureScreenshot", format="png")["data"])
                return imageio.imread(png)[..., :3].astype(np.float32)

            deadline = time.time() + 60
            while not _scene_drawn(shot := screenshot()) and time.time() < deadline:
                time.sleep(1.0)
            shots = [shot]
            for _ in range(count - 1):
                time.sleep(gap_s)
                shots.append(screenshot())
            return shots
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


def test_viser_page_renders_the_moving_scene_in_headless_chromium(workdir, teacher_run):
    _needs("chromium")
    port = _free_port()
    busy = socket.socket()  # the requested port is taken: viser moves on, and play.py prints where to
    busy.bind(("127.0.0.1", port))
    busy.listen()
    play = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "rsl_rl/play.py"), "--task", TASK, "--checkpoint",
         str(teacher_run / "model_1.pt"), "--num_envs", "4", "--viz", "viser", "--port", str(port)],
        cwd=workdir, env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines = []
    try:
        for line in play.stdout:
            lines.append(line)
            if "[INFO] Viser: open" in line:
                break
        url = lines[-1].split("open ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and url != f"http://127.0.0.1:{port}", lines[-1]
        first, second = _screenshots(url, count=2, gap_s=3.0)
    finally:
        play.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = play.communicate(timeout=120)
        busy.close()
    assert play.returncode == 0 and "Stopped after" in out, "".join(lines[-20:]) + out[-3000:]
    assert _scene_drawn(first) and _scene_drawn(second), "WebGL drew the scene (software rendering)"
    assert first.std() > 10 and second.std() > 10, "not blank"
    changed = (np.abs(first - second).sum(axis=-1) > 30).mean()
    assert changed > 1e-4, f"the scene moves between screenshots ({changed:.2e} of the pixels changed)"


def test_video_while_training_writes_clips_and_logs_them_to_tensorboard(tmp_path):
    _needs("Xvfb")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    video = ["--video", "--video_length", "10", "--video_interval", "48", "agent.save_interval=1"]
    proc = run_script(
        "rsl_rl/train.py", "--task", TASK, "--num_envs", "4", "--max_iterations", "3", *video, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run_dir = next((tmp_path / "logs" / "rsl_rl" / "quadcopter_point_ctrl").iterdir())
    clips = sorted(p.name for p in (run_dir / "videos" / "train").glob("*.mp4"))
    assert clips == ["train_0000.mp4", "train_0001.mp4"], "a clip at the start and one 48 env steps later"
    assert len(_frames(str(run_dir / "videos" / "train" / clips[0]))) >= 10
    events = EventAccumulator(str(next(run_dir.glob("events.out.tfevents.*"))), size_guidance={"images": 0})
    events.Reload()
    assert events.Tags()["images"] == ["Video/train_0000", "Video/train_0001"], "each clip once, in TensorBoard"
