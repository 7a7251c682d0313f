"""Offscreen video of a MuJoCo episode, headless: MuJoCo's renderer on EGL (Mesa's software EGL works without a GPU),
else OSMesa; frames follow the robot, with the command drawn (green arrow: commanded velocity, blue: actual; red
sphere: the target point). Written as a looping GIF (Pillow) or an mp4 (imageio-ffmpeg)."""

from __future__ import annotations

import ctypes.util
import os

import numpy as np

from distill_lab.io import DistillLabError

BACKENDS = (("egl", "EGL"), ("osmesa", "OSMesa"))
"""MuJoCo offscreen backends tried in order, with the shared library each needs."""


def choose_backend() -> str | None:
    """Set ``MUJOCO_GL`` (unless set) to the first backend whose library is installed; return it (None: none is).

    Call before MuJoCo is imported: MuJoCo reads ``MUJOCO_GL`` once, at import."""
    if os.environ.get("MUJOCO_GL"):
        return os.environ["MUJOCO_GL"]
    for backend, library in BACKENDS:
        if ctypes.util.find_library(library):
            os.environ["MUJOCO_GL"] = backend
            return backend
    return None


class Recorder:
    """Films one :class:`~distill_lab.deploy.runner.MjEnv`: a frame every ``stride`` control steps."""

    def __init__(self, model, width: int = 320, height: int = 240, stride: int = 4, fps: float = 12.5):
        import mujoco

        model.vis.quality.offsamples = 0  # no multisampling: half the time per frame on a software renderer
        try:
            self.renderer = mujoco.Renderer(model, height, width)
        except Exception as err:  # no display / no EGL device / no OSMesa: MuJoCo raises several types
            backend = os.environ.get("MUJOCO_GL", "glfw (MUJOCO_GL unset)")
            raise DistillLabError(
                f"expected an offscreen OpenGL context for MuJoCo (MUJOCO_GL=egl with Debian libegl1 libegl-mesa0 "
                f"libgl1-mesa-dri, or MUJOCO_GL=osmesa with libosmesa6), found none with {backend}: "
                f"{' '.join(str(err).split())[:160]}"
            ) from None
        self.camera = mujoco.MjvCamera()
        self.camera.type = mujoco.mjtCamera.mjCAMERA_TRACKING
        self.camera.distance = max(1.0, 3.0 * float(model.stat.extent))
        self.camera.azimuth, self.camera.elevation = 135.0, -20.0
        self.stride = stride
        """Control steps per frame."""
        self.fps = fps
        """Frame rate of the written video."""
        self.frames: list[np.ndarray] = []
        """The frames so far (height x width x 3, uint8)."""

    def capture(self, env, step: int) -> None:
        """Add a frame of ``env`` if ``step`` is on the stride."""
        if step % self.stride:
            return
        import mujoco

        self.camera.trackbodyid = env.scene.root_body
        self.renderer.update_scene(env.robot.data, self.camera)
        scene = self.renderer.scene
        scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = False  # shadows and reflections cost 5x on software OpenGL
        scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = False
        pos = env.robot.root_pos()
        for name, kind in env.command_classes.items():
            value = env.command_value(name)
            if kind == "TargetPointCommand" and scene.ngeom < scene.maxgeom:
                mujoco.mjv_initGeom(
                    scene.geoms[scene.ngeom],
                    mujoco.mjtGeom.mjGEOM_SPHERE,
                    np.array([0.03, 0, 0]),
                    np.asarray(value, float),
                    np.eye(3).reshape(-1),
                    np.array([1, 0.1, 0.1, 0.8]),
                )
                scene.ngeom += 1
            elif "Velocity" in kind:
                yaw_rotation = env.robot.rotation()
                top = pos + np.array([0, 0, 0.25])
                for vector, rgba in ((value[:2], (0.1, 0.8, 0.1, 1)), (env.robot.lin_vel_b()[:2], (0.1, 0.3, 0.9, 1))):
                    if scene.ngeom >= scene.maxgeom or np.linalg.norm(vector) < 1e-3:
                        continue
                    tip = top + yaw_rotation @ np.array([vector[0], vector[1], 0.0]) * 0.5
                    geom = scene.geoms[scene.ngeom]
                    mujoco.mjv_initGeom(
                        geom,
                        mujoco.mjtGeom.mjGEOM_ARROW,
                        np.zeros(3),
                        np.zeros(3),
                        np.eye(3).reshape(-1),
                        np.array(rgba, float),
                    )
                    mujoco.mjv_connector(geom, mujoco.mjtGeom.mjGEOM_ARROW, 0.015, top, tip)
                    scene.ngeom += 1
        self.frames.append(self.renderer.render().copy())

    def close(self) -> None:
        """Free the OpenGL context (explicitly: at interpreter exit EGL may already be gone)."""
        self.renderer.close()

    def write(self, path: str) -> str:
        """Write the frames to ``path`` (``.gif`` or ``.mp4``); return it."""
        if not self.frames:
            raise DistillLabError(f"expected frames to write to {path}, found none (the episode ran no step)")
        os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
        if path.endswith(".mp4"):
            import imageio.v2 as imageio

            imageio.mimwrite(path, self.frames, fps=self.fps, macro_block_size=8)
            return path
        if not path.endswith(".gif"):
            raise DistillLabError(f"expected a video path ending in .gif or .mp4, found {path}")
        from PIL import Image

        images = [Image.fromarray(f) for f in self.frames]
        images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / self.fps), loop=0)
        return path
