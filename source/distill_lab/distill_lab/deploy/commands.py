"""What the second simulator asks the policy to do: velocity command sequences (locomotion) and target points (the
quadcopter), and start states drawn as the task's reset events draw them, all from the policy's contract."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from distill_lab.io import DistillLabError

from .contract import Contract

VELOCITY_COMMANDS = ("UniformVelocityCommand", "PinnedVelocityCommand")
"""Command classes sim2sim drives with velocity sequences (body-frame lin x, lin y, yaw rate)."""

TARGET_COMMANDS = ("TargetPointCommand",)
"""Command classes sim2sim drives with target points (x, y, z relative to the env origin)."""


@dataclass
class VelocitySequence:
    """A velocity command held piecewise constant: ``segments`` of (duration [s], lin x [m/s], lin y [m/s], yaw rate
    [rad/s]), in the robot's base frame as Isaac Lab's ``UniformVelocityCommand``."""

    name: str
    """What the sequence tests (``stand``, ``forward``, ...)."""
    segments: list[tuple[float, float, float, float]] = field(default_factory=list)
    """(duration, vx, vy, wz) per segment."""

    @property
    def duration(self) -> float:
        """Total length [s]."""
        return float(sum(s[0] for s in self.segments))

    def per_step(self, steps: int, dt: float) -> np.ndarray:
        """The command at the start of each control step, shape (steps, 3); the last segment holds past the end."""
        ends = np.cumsum([s[0] for s in self.segments])
        values = np.array([s[1:] for s in self.segments], float)
        times = (np.arange(steps) + 0.5) * dt  # mid-step, so that a segment boundary on a step edge is exact
        index = np.minimum(np.searchsorted(ends, times, side="right"), len(values) - 1)
        return values[index]

    def as_dict(self) -> dict:
        """JSON form."""
        return {"name": self.name, "segments": [list(s) for s in self.segments]}


def velocity_ranges(command: dict) -> dict[str, tuple[float, float]]:
    """The command term's ranges for lin_vel_x, lin_vel_y and ang_vel_z."""
    ranges = command.get("cfg", {}).get("ranges", {})
    try:
        return {k: (float(ranges[k][0]), float(ranges[k][1])) for k in ("lin_vel_x", "lin_vel_y", "ang_vel_z")}
    except (KeyError, TypeError, IndexError):
        raise DistillLabError(
            f"expected the velocity command '{command.get('name')}' in the metadata to have ranges lin_vel_x, "
            f"lin_vel_y, ang_vel_z; found {sorted(ranges) if isinstance(ranges, dict) else ranges}"
        ) from None


def default_sequences(ranges: dict[str, tuple[float, float]], duration: float = 20.0) -> list[VelocitySequence]:
    """Six sequences of ``duration`` seconds (four equal segments each) across the command range: standing, forward
    and backward up to the range's ends, lateral, turning, and a mix of all three."""
    (x_lo, x_hi), (y_lo, y_hi), (w_lo, w_hi) = ranges["lin_vel_x"], ranges["lin_vel_y"], ranges["ang_vel_z"]
    q = duration / 4
    return [
        VelocitySequence("stand", [(duration, 0.0, 0.0, 0.0)]),
        VelocitySequence("forward", [(q, 0.5 * x_hi, 0, 0), (q, x_hi, 0, 0), (q, 0.5 * x_hi, 0, 0), (q, 0, 0, 0)]),
        VelocitySequence("backward", [(q, 0.5 * x_lo, 0, 0), (q, x_lo, 0, 0), (q, 0.5 * x_lo, 0, 0), (q, 0, 0, 0)]),
        VelocitySequence("lateral", [(q, 0, y_hi, 0), (q, 0, y_lo, 0), (q, 0, 0.5 * y_hi, 0), (q, 0, 0.5 * y_lo, 0)]),
        VelocitySequence(
            "turn", [(q, 0, 0, w_hi), (q, 0, 0, w_lo), (q, 0.5 * x_hi, 0, 0.5 * w_hi), (q, 0.5 * x_hi, 0, 0.5 * w_lo)]
        ),
        VelocitySequence(
            "mixed",
            [(q, x_hi, 0.5 * y_hi, 0), (q, 0.5 * x_lo, 0.5 * y_lo, 0.5 * w_hi), (q, 0.7 * x_hi, 0, w_lo), (q, 0, 0, 0)],
        ),
    ]


def read_sequences(path: str) -> list[VelocitySequence]:
    """Sequences from a JSON file: ``[{"name": ..., "segments": [[duration, vx, vy, wz], ...]}, ...]``."""
    try:
        with open(path) as f:
            raw = json.load(f)
        return [VelocitySequence(s["name"], [tuple(float(v) for v in seg) for seg in s["segments"]]) for s in raw]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DistillLabError(
            f"expected a JSON list of {{'name', 'segments': [[duration, vx, vy, wz], ...]}} in {path}, found: {err}"
        ) from None


def target_ranges(command: dict) -> list[tuple[float, float]]:
    """The target-point command's (x, y, z) ranges relative to the env origin."""
    ranges = command.get("cfg", {}).get("ranges")
    if not isinstance(ranges, list) or len(ranges) != 3:
        raise DistillLabError(f"expected the target command '{command.get('name')}' to have 3 ranges, found {ranges}")
    return [(float(lo), float(hi)) for lo, hi in ranges]


# --- start states, drawn as Isaac Lab's reset events draw them


def quat_mul_xyzw(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product of two (x, y, z, w) quaternions."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ]
    )


def quat_from_euler_xyz(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """(x, y, z, w) quaternion of intrinsic-free roll, pitch, yaw as Isaac Lab's ``quat_from_euler_xyz``."""
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return np.array(
        [
            sr * cp * cy - cr * sp * sy,
            cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy,
            cr * cp * cy + sr * sp * sy,
        ]
    )


def _event(contract: Contract, func_suffix: str) -> dict | None:
    return next((e for e in contract.get("events", []) if e["func"].endswith(func_suffix)), None)


def nominal_state(contract: Contract) -> dict:
    """The robot's initial state as configured: init position and orientation, default joints, at rest."""
    robot, joints = contract["robot"], contract.joints
    init = robot.get("init_state", {})
    state = {
        "root_pos": list(init.get("pos", [0.0, 0.0, 0.0])),
        "root_quat_xyzw": list(init.get("rot_xyzw", [0.0, 0.0, 0.0, 1.0])),
        "root_lin_vel_w": [0.0, 0.0, 0.0],
        "root_ang_vel_w": [0.0, 0.0, 0.0],
    }
    if joints is not None:
        state |= {"joint_names": list(joints["names"]), "joint_pos": list(joints["default_pos"]),
                  "joint_vel": list(joints["default_vel"])}  # fmt: skip
    return state


def sample_state(contract: Contract, rng: np.random.Generator) -> dict:
    """A start state drawn as the task's reset events draw it (``reset_root_state_uniform``: pose and velocity ranges
    around the init state; ``reset_joints_by_scale``: default joints scaled, clipped to the soft limits)."""
    state = nominal_state(contract)
    root = _event(contract, ":reset_root_state_uniform")
    if root is not None:
        pose, vel = root["params"].get("pose_range", {}), root["params"].get("velocity_range", {})

        def draw(ranges: dict, key: str) -> float:
            lo, hi = ranges.get(key, (0.0, 0.0))
            return float(rng.uniform(lo, hi))

        state["root_pos"] = [p + draw(pose, k) for p, k in zip(state["root_pos"], "xyz", strict=True)]
        delta = quat_from_euler_xyz(draw(pose, "roll"), draw(pose, "pitch"), draw(pose, "yaw"))
        state["root_quat_xyzw"] = quat_mul_xyzw(np.array(state["root_quat_xyzw"]), delta).tolist()
        state["root_lin_vel_w"] = [draw(vel, k) for k in "xyz"]
        state["root_ang_vel_w"] = [draw(vel, k) for k in ("roll", "pitch", "yaw")]
    joints = _event(contract, ":reset_joints_by_scale")
    if joints is not None and contract.joints is not None:
        pos_range = joints["params"].get("position_range", (1.0, 1.0))
        vel_range = joints["params"].get("velocity_range", (0.0, 0.0))
        default = np.array(contract.joints["default_pos"])
        limits = np.array(contract.joints.get("soft_pos_limits", contract.joints["pos_limits"]))
        pos = default * rng.uniform(*pos_range, size=default.shape)
        state["joint_pos"] = np.clip(pos, limits[:, 0], limits[:, 1]).tolist()
        state["joint_vel"] = (
            np.array(contract.joints["default_vel"]) * rng.uniform(*vel_range, size=default.shape)
        ).tolist()
    return state


def sample_targets(command: dict, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` target points drawn from the command's ranges, shape (count, 3)."""
    ranges = np.array(target_ranges(command))
    return ranges[:, 0] + (ranges[:, 1] - ranges[:, 0]) * rng.random((count, 3))
