"""Watch a policy kit-less on a CPU: Isaac Lab's Viser visualizer live in a browser, NewtonGL videos under Xvfb, GIFs.

* :func:`add_viser` / :func:`add_video` put the visualizer (and video recorder) configs on an env cfg.
* :func:`check_video_support` names the missing package before anything starts; :func:`virtual_display` runs Xvfb
  when no ``DISPLAY`` is set.
* :class:`FollowCamera` keeps the visualizers' cameras on env 0's robot; :func:`watch` steps a policy live.
* :func:`write_gif` and :func:`side_by_side` turn the recorded mp4 clips into a GIF and a two-panel comparison.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes.util
import glob
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from distill_lab.io import DistillLabError

VIEWERS = ("none", "viser")
"""Choices of ``play.py --viz``: no live viewer, or Isaac Lab's Viser visualizer (a web page)."""

SETUP_HINT = "run 'bash scripts/setup.sh' as root, or 'apt-get install -y --no-install-recommends {}'"
"""How to install a missing Debian package (setup.sh installs all of them where it can)."""


def add_viser(env_cfg, port: int = 8080) -> None:
    """Serve the scene with Isaac Lab's Viser visualizer on ``127.0.0.1:port`` (see :func:`viser_url`)."""
    if importlib.util.find_spec("viser") is None:
        raise DistillLabError("--viz viser needs the PyPI package 'viser'; run 'bash scripts/setup.sh'.")
    from isaaclab_visualizers.viser import ViserVisualizerCfg

    env_cfg.sim.visualizer_cfgs = [
        ViserVisualizerCfg(bind_address="127.0.0.1", display_address="127.0.0.1", port=port, verbose=False)
    ]


def viser_url(env) -> str:
    """The URL of the Viser page of a created env; viser takes the next free port when the requested one is busy."""
    for viz in env.unwrapped.sim.visualizers:
        server = getattr(getattr(viz, "_viewer", None), "_server", None)  # Isaac Lab's ViserVisualizer reads it too
        if server is not None:
            return f"http://127.0.0.1:{server.get_port()}"
    raise DistillLabError("the Viser visualizer did not start; see the log above.")


def add_video(env_cfg, output_dir: str, video_length: int, prefix: str, interval: int = 0) -> None:
    """Record ``video_length`` env steps from a 640x480 NewtonGL window (needs a display: :func:`virtual_display`).

    Clips are written by Isaac Lab's ``VideoRecorder`` as ``<output_dir>/<prefix>_<index>.mp4``: one at the start,
    and with ``interval`` > 0 a new one every ``interval`` env steps.
    """
    from isaaclab.envs.utils.video_recorder_cfg import VideoRecorderCfg
    from isaaclab_visualizers.newton import NewtonGLVisualizerCfg

    env_cfg.sim.visualizer_cfgs = [
        NewtonGLVisualizerCfg(headless=False, window_width=640, window_height=480, enable_live_plots=False)
    ]
    env_cfg.video_recorders = [
        VideoRecorderCfg(
            source="visualizer:newton",
            output_dir=output_dir,
            video_length=video_length,
            video_interval=interval,
            output_filename_prefix=prefix,
        )
    ]


def check_video_support() -> None:
    """Raise a clear error naming the missing package when videos cannot be recorded here."""
    missing_pypi = [name for name in ("moviepy", "pyglet", "imgui_bundle", "imageio") if not _has_module(name)]
    if missing_pypi:
        raise DistillLabError(
            f"--video needs the PyPI packages {missing_pypi} (pinned in scripts/requirements-kitless.txt); "
            "run 'bash scripts/setup.sh'."
        )
    needs = [] if os.environ.get("DISPLAY") else [("Xvfb", "xvfb")]
    needs += [("GL", "libgl1-mesa-dri"), ("EGL", "libegl-mesa0"), ("GLU", "libglu1-mesa")]
    for lib, package in needs:
        found = shutil.which(lib) if lib == "Xvfb" else ctypes.util.find_library(lib)
        if not found:
            raise DistillLabError(
                f"--video renders with OpenGL in an X window and '{lib}' is missing (Debian package '{package}'); "
                + SETUP_HINT.format("xvfb libgl1-mesa-dri libegl-mesa0 libglu1-mesa")
                + "."
            )


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


_XVFB: list[subprocess.Popen] = []
"""The process's own Xvfb, started once: a GL context (pyglet's) keeps its X connection for the process's life, so a
second server for a second recording would leave it talking to a dead one."""


def _stop_xvfb() -> None:
    for proc in _XVFB:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def virtual_display() -> Iterator[str | None]:
    """Export ``DISPLAY`` while inside: the one already set, else the process's own ``Xvfb`` (started on the first
    call on a free display number, ``-displayfd``, so two runs on one machine do not collide; reused by later calls and
    stopped when the process exits)."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if not shutil.which("Xvfb"):
        raise DistillLabError("no DISPLAY and no Xvfb (Debian package 'xvfb'); " + SETUP_HINT.format("xvfb") + ".")
    if not _XVFB or _XVFB[0].poll() is not None:
        read_fd, write_fd = os.pipe()
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise DistillLabError(f"Xvfb did not start (exit code {proc.wait(timeout=10)}).")
        if not _XVFB:
            atexit.register(_stop_xvfb)
        _XVFB[:] = [proc]
        proc.display = f":{number}"
    os.environ["DISPLAY"] = _XVFB[0].display
    try:
        yield os.environ["DISPLAY"]
    finally:
        os.environ.pop("DISPLAY", None)


FOLLOW_ZOOM = 0.5
"""A task's viewer offset frames many envs; a camera that follows one robot comes this much closer by default."""


class FollowCamera:
    """Points every visualizer's camera at env 0's robot, from the direction of the task's viewer offset.

    The offset is ``eye - lookat`` of the env cfg's ``sim.default_visualizer_cfg``, scaled by :data:`FOLLOW_ZOOM` or to
    ``distance``.
    The target is smoothed so that a walking robot's bobbing does not shake the picture. Call :meth:`update` before
    each env step: the step renders the frame.
    """

    def __init__(self, env, distance: float | None = None, smoothing: float = 0.1):
        """``env``: a (wrapped) Isaac Lab env with a ``robot`` in its scene; ``distance``: camera distance [m]."""
        self.env = env.unwrapped
        from isaaclab.visualizers import VisualizerCfg

        viewer = self.env.cfg.sim.default_visualizer_cfg or VisualizerCfg()
        offset = torch.tensor(viewer.eye, dtype=torch.float32) - torch.tensor(viewer.lookat, dtype=torch.float32)
        self.offset = offset * (FOLLOW_ZOOM if distance is None else distance / offset.norm())
        self.smoothing = smoothing
        self.target: torch.Tensor | None = None

    def robot_position(self) -> torch.Tensor:
        """Env 0's robot root position in the world frame [m]."""
        return self.env.scene["robot"].data.root_pos_w.torch[0].detach().cpu().float()

    def update(self) -> None:
        """Move the cameras one smoothing step towards the robot."""
        position = self.robot_position()
        if self.target is None or (position - self.target).norm() > 3.0:  # first call or a reset teleported it
            self.target = position.clone()
        else:
            self.target += self.smoothing * (position - self.target)
        for viz in self.env.sim.visualizers:
            viz.set_camera_view(tuple((self.target + self.offset).tolist()), tuple(self.target.tolist()))


@torch.inference_mode()
def watch(env, policy, num_steps: int | None, real_time: bool) -> int:
    """Step ``policy`` on ``env`` until ``num_steps`` (``None``: forever) or Ctrl-C; return the steps taken.

    With ``real_time`` each step takes at least the env's control period (``step_dt``), so motion plays at its speed.
    """
    obs = env.get_observations()
    step_dt = env.unwrapped.step_dt
    steps, stop = 0, []

    def on_ctrl_c(signum, frame):  # stop between steps, never inside the simulator or the viewer; twice: at once
        if stop:
            raise KeyboardInterrupt
        stop.append(signum)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        while not stop and (num_steps is None or steps < num_steps):
            start = time.perf_counter()
            obs, _, dones, _ = env.step(policy(obs))
            policy.reset(dones)
            steps += 1
            if real_time:
                time.sleep(max(0.0, step_dt - (time.perf_counter() - start)))
    finally:
        signal.signal(signal.SIGINT, previous)
    if stop:
        print(f"\n[INFO] Stopped after {steps} steps (Ctrl-C).")
    return steps


class CameraEnv:
    """An ``RslRlVecEnvWrapper`` whose :meth:`step` first moves a :class:`FollowCamera` (for rollouts on video)."""

    def __init__(self, env, camera: FollowCamera):
        self._env, self._camera = env, camera

    def step(self, actions):
        self._camera.update()
        return self._env.step(actions)

    def __getattr__(self, name):
        return getattr(self._env, name)


def newest_clip(output_dir: str, prefix: str, since: float = 0.0) -> str:
    """The newest ``<prefix>_<index>.mp4`` the video recorder wrote into ``output_dir`` at or after time ``since``."""
    clips = glob.glob(os.path.join(output_dir, f"{glob.escape(prefix)}_[0-9]*.mp4"))
    clips = [c for c in clips if os.path.getmtime(c) >= since]
    if not clips:
        raise DistillLabError(f"no video was written to {output_dir} (prefix '{prefix}'); see the log above.")
    return max(clips, key=os.path.getmtime)


def read_frames(path: str) -> tuple[list[np.ndarray], float]:
    """Decode an mp4 into RGB frames; return them and the frame rate."""
    import imageio.v2 as imageio

    with imageio.get_reader(path) as reader:
        fps = float(reader.get_meta_data()["fps"])
        return [np.asarray(frame) for frame in reader], fps


def write_gif(frames: Sequence[np.ndarray], fps: float, path: str, width: int = 400, stride: int = 2) -> str:
    """Write every ``stride``-th frame, scaled to ``width`` pixels, as a looping GIF at ``fps / stride``."""
    from PIL import Image

    images = []
    for frame in frames[::stride]:
        image = Image.fromarray(frame)
        height = round(image.height * width / image.width)
        images.append(image.resize((width, height), Image.LANCZOS).quantize(colors=128, dither=Image.Dither.NONE))
    images[0].save(path, save_all=True, append_images=images[1:], duration=round(1000 * stride / fps), loop=0)
    return path


def write_mp4(frames: Sequence[np.ndarray], fps: float, path: str) -> str:
    """Write RGB frames as an h264 mp4 (imageio's bundled ffmpeg)."""
    import imageio.v2 as imageio

    with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=8, quality=7) as writer:
        for frame in frames:
            writer.append_data(frame)
    return path


def side_by_side(left: str, right: str, labels: tuple[str, str]) -> tuple[list[np.ndarray], float]:
    """Frames of two clips next to each other (cut to the shorter one), each labelled in its top-left corner."""
    from PIL import Image, ImageDraw

    (frames_a, fps), (frames_b, _) = read_frames(left), read_frames(right)
    out = []
    for a, b in zip(frames_a, frames_b, strict=False):
        image = Image.fromarray(np.concatenate([a, np.full((a.shape[0], 8, 3), 255, np.uint8), b], axis=1))
        draw = ImageDraw.Draw(image)
        for x, label in ((8, labels[0]), (a.shape[1] + 16, labels[1])):
            draw.rectangle((x - 4, 4, x + 8 * len(label) + 4, 22), fill=(0, 0, 0))
            draw.text((x, 7), label, fill=(255, 255, 255))
        out.append(np.asarray(image))
    return out, fps
