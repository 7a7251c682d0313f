"""Newton vs MuJoCo, teacher and student, one table: each exported policy file played in Isaac Lab (Newton) and in
MuJoCo (C) on the robot's MJCF, on the same commands and start states.

    sim2sim.py --task Quadcopter-Point-Ctrl --teacher <checkpoint | policy.onnx> --student <checkpoint | policy.onnx>
        [--teacher_agent rsl_rl_cfg_entry_point] [--student_agent rsl_rl_dagger_cfg_entry_point] [--mjcf PATH]
        [--duration S] [--num_targets N] [--physics mjcf|training] [--seed 1] [--out DIR] [--no_video] [env.* ...]

A checkpoint is exported first (``export.py``: ONNX with its metadata, parity-checked). In Isaac Lab the task runs on
its nominal robot (``env_cfg.sim2sim.nominal_events``: no mass or centre-of-mass randomization, no wind), in play
mode (no observation noise); velocity policies follow the default command sequences (stand, forward, backward,
lateral, turn, mixed across the command's ranges, ``--duration`` seconds each, one env each), target-point policies
fly to the targets their ``--num_targets`` envs draw. The start states and commands go to ``episodes.json``, which
``scripts/deploy/sim2sim.py`` replays in MuJoCo in a separate process (no Isaac Lab, no torch there). Both sides are
summarized by the same function: tracking error (||cmd_xy - v_xy||, |cmd_yaw - w_z|) or success, falls
(terminations), each reward term's episode sum. ``DIR/sim2sim.md`` and ``sim2sim.json`` hold the table (default
``DIR``: ``logs/sim2sim/<task>/<time>``); ``DIR/<role>/mujoco/`` each side's MuJoCo report and video.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence

import numpy as np

from distill_lab.deploy.commands import default_sequences, velocity_ranges
from distill_lab.deploy.contract import read_contract
from distill_lab.deploy.runner import command_kind
from distill_lab.deploy.sim2sim import summarize_all
from distill_lab.io import DistillLabError, read_json, write_json

from .args import parse

PARSER = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
)
PARSER.add_argument("--task", required=True, help="Gym ID of the task.")
PARSER.add_argument("--teacher", default=None, help="Teacher checkpoint or exported policy.onnx.")
PARSER.add_argument("--student", default=None, help="Student checkpoint or exported policy.onnx.")
PARSER.add_argument("--teacher_agent", default="rsl_rl_cfg_entry_point", help="Agent entry point of the teacher.")
PARSER.add_argument(
    "--student_agent", default="rsl_rl_dagger_cfg_entry_point", help="Agent entry point of the student."
)
PARSER.add_argument("--mjcf", default=None, help="Robot MJCF (default: the task's env_cfg.sim2sim.mjcf).")
PARSER.add_argument("--duration", type=float, default=None, help="Seconds per episode (default: the task's).")
PARSER.add_argument("--num_targets", type=int, default=32, help="Envs (targets) of a target-point task.")
PARSER.add_argument("--physics", choices=("mjcf", "training"), default="mjcf", help="MuJoCo's options (see deploy).")
PARSER.add_argument(
    "--mujoco_args", default="", help="More flags for scripts/deploy/sim2sim.py, e.g. '--timestep 0.005'."
)
PARSER.add_argument(
    "--frozen_at", type=float, default=0.5, help="Where in the episode Newton's state is frozen for the checks [0-1]."
)
PARSER.add_argument("--seed", type=int, default=1, help="Seed of the Isaac Lab reset (start states, targets).")
PARSER.add_argument("--out", default=None, help="Output folder.")
PARSER.add_argument("--no_video", action="store_true", help="No MuJoCo video.")

ROLES = ("teacher", "student")
"""The policies compared, in table order."""

TOLERANCE = {"tracking_ratio": 1.3, "success_ratio": 0.9}
"""The targets the table checks: MuJoCo's tracking error at most 1.3x Newton's, MuJoCo's success at least 0.9x."""


def mjcf_for(env_cfg, given: str | None, task: str) -> str:
    """The MJCF to use: ``given``, else the one the task's ``sim2sim.mjcf`` entry point returns (building it)."""
    if given:
        return os.path.abspath(given)
    entry = getattr(getattr(env_cfg, "sim2sim", None), "mjcf", "")
    if not entry:
        raise DistillLabError(
            f"expected --mjcf or an env_cfg.sim2sim.mjcf entry point for task '{task}', found neither"
        )
    module, _, name = entry.partition(":")
    import importlib

    return str(getattr(importlib.import_module(module), name)())


def export_onnx(task: str, agent: str, path: str, out: str, overrides: list[str]) -> str:
    """``path`` if it is an ONNX file, else the checkpoint exported to ``out/policy.onnx`` (export.py's checks) under
    the env overrides given (the same env as the Newton side)."""
    if path.endswith(".onnx"):
        if not os.path.isfile(path):
            raise DistillLabError(f"expected an exported policy at {path}, found nothing")
        return os.path.abspath(path)
    from . import export

    env = [o for o in overrides if o.startswith(("env.", "presets")) and not o.startswith("env.scene.num_envs=")]
    argv = ["--task", task, "--agent", agent, "--checkpoint", path, "--out", out, "--formats", "onnx",
            "--num_envs", "2", "--parity_steps", "20", *env]  # fmt: skip
    return export.main(argv)["onnx"]


def run_newton(task: str, overrides: list[str], policies: dict[str, str], steps: int, kind: str, name: str,
               sequences, num_envs: int, seed: int, frozen_at: float) -> dict[str, tuple[list, dict]]:  # fmt: skip
    """Each policy on the nominal robot in Isaac Lab, all in one env (same seed: same start states); per role its
    summaries and episodes file."""
    import gymnasium as gym

    from distill_lab.evaluation.sim2sim import newton_episodes, nominal_env_cfg
    from distill_lab.runners import FiniteCheckedVecEnv

    from .configs import resolve_configs
    from .session import simulation

    env_cfg, _ = resolve_configs(task, None, overrides, play=True)
    env_cfg.sim.device = "cpu"
    nominal_env_cfg(env_cfg, num_envs, steps, kind, name)
    results = {}
    with simulation(env_cfg):
        env = FiniteCheckedVecEnv(gym.make(task, cfg=env_cfg))
        try:
            for role, onnx in policies.items():
                contract = read_contract(onnx)
                results[role] = newton_episodes(
                    env, onnx, contract["obs_groups"], kind, name, sequences, steps, seed, frozen_at
                )
        finally:
            env.close()
    return results


def run_mujoco(onnx: str, mjcf: str, episodes: str, out: str, args: argparse.Namespace, video: str | None) -> dict:
    """``scripts/deploy/sim2sim.py`` in its own process (no Isaac Lab, no torch, its own OpenGL); its report."""
    command = [
        sys.executable,
        "-m",
        "distill_lab.deploy.sim2sim",
        onnx,
        "--mjcf",
        mjcf,
        "--episodes",
        episodes,
        "--out",
        out,
        "--physics",
        args.physics,
        "--video",
        video or "none",
        *args.mujoco_args.split(),
    ]
    environment = {**os.environ, "DISTILL_LAB_TASKS": "0"}
    print(f"[sim2sim] mujoco: {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise DistillLabError(f"the MuJoCo side failed (exit {done.returncode}): {last}")
    return read_json(os.path.join(out, "report.json"), "MuJoCo report")


def _cell(value, fmt: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return fmt.format(value)


def table(result: dict, kind: str) -> list[str]:
    """The Markdown table: each metric for each role in Newton and MuJoCo, then the checks against the targets."""
    roles = [r for r in ROLES if r in result["roles"]]
    cols = [(r, sim) for r in roles for sim in ("newton", "mujoco")]
    head = "| metric | " + " | ".join(f"{r} {'Newton' if s == 'newton' else 'MuJoCo'}" for r, s in cols) + " |"
    lines = [head, "|---" * (len(cols) + 1) + "|"]
    keys = ["falls", "error_vel_xy", "error_vel_yaw"] if kind == "velocity" else ["falls", "success_rate",
                                                                                  "final_distance"]  # fmt: skip
    keys.append("return")
    for key in keys:
        cells = []
        for r, s in cols:
            summary = result["roles"][r][s]["summary"]
            cells.append(f"{summary['falls']}/{summary['episodes']}" if key == "falls" else _cell(summary.get(key)))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    terms = result["roles"][roles[0]]["newton"]["summary"]["return_terms"]
    for term in terms:
        cells = [_cell(result["roles"][r][s]["summary"]["return_terms"].get(term)) for r, s in cols]
        lines.append(f"| return: {term} | " + " | ".join(cells) + " |")
    lines += ["", *[f"- {check}" for check in result["checks"]]]
    if kind == "velocity":
        lines += ["", "| sequence | " + " | ".join(f"{r} {s} xy error (fell at s)" for r, s in cols) + " |",
                  "|---" * (len(cols) + 1) + "|"]  # fmt: skip
        names = [e["name"] for e in result["roles"][roles[0]]["newton"]["episodes"]]
        for i, name in enumerate(names):
            cells = []
            for r, s in cols:
                episode = result["roles"][r][s]["episodes"][i]
                fell = f" ({episode['fell_at_s']:.2f})" if episode["fell"] else ""
                cells.append(_cell(episode.get("error_vel_xy")) + fell)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def checks(result: dict, kind: str) -> list[str]:
    """One line per target: falls in MuJoCo, MuJoCo's tracking error (or success) relative to Newton's, per role."""
    out = []
    for role, sides in result["roles"].items():
        newton, mujoco = sides["newton"]["summary"], sides["mujoco"]["summary"]
        parity = sides["mujoco"].get("observation_parity")
        if parity and parity["worst_term"]:
            worst = parity["worst_term"]
            verdict = "ok" if parity["within_tolerance"] else "above tolerance: the observation builder disagrees"
            out.append(
                f"{role}: observation rebuilt in MuJoCo from Newton's state at step {parity['at_step']} "
                f"({parity['instants']} envs): largest difference {parity['max_abs_diff'][worst]:.1e} in {worst} "
                f"(tolerance {parity['tolerance']:g}: {verdict})"
            )
        step = (parity or {}).get("step") or {}
        if step.get("instants"):
            diff, change = step["max_abs_diff"], step["newton_change"]
            parts = [f"{key} {diff[key]:.2g} (Newton's step changed it by up to {change[key]:.2g})"
                     for key in ("root_lin_vel_w", "root_ang_vel_w", "joint_vel") if key in diff]  # fmt: skip
            out.append(f"{role}: one control step of MuJoCo from Newton's state and action ({step['instants']} envs), "
                       f"largest difference from Newton's step: {', '.join(parts)}")  # fmt: skip
        out.append(
            f"{role}: falls in MuJoCo {mujoco['falls']}/{mujoco['episodes']} (Newton {newton['falls']}, target 0)"
        )
        if kind == "velocity" and newton.get("error_vel_xy"):
            ratio = mujoco["error_vel_xy"] / newton["error_vel_xy"]
            verdict = "ok" if ratio <= TOLERANCE["tracking_ratio"] else "above target"
            out.append(f"{role}: MuJoCo / Newton xy tracking error {ratio:.2f} (target <= "
                       f"{TOLERANCE['tracking_ratio']}: {verdict})")  # fmt: skip
        if kind == "target" and newton.get("success_rate"):
            ratio = mujoco["success_rate"] / newton["success_rate"]
            verdict = "ok" if ratio >= TOLERANCE["success_ratio"] else "below target"
            out.append(
                f"{role}: MuJoCo / Newton success {ratio:.2f} (target >= {TOLERANCE['success_ratio']}: {verdict})"
            )
    return out


def main(argv: Sequence[str] | None = None) -> dict:
    """Export, play in Newton, replay in MuJoCo, write the table; return the result (also ``DIR/sim2sim.json``)."""
    from .configs import resolve_configs

    args, overrides = parse(PARSER, argv)
    given = {role: getattr(args, role) for role in ROLES if getattr(args, role)}
    if not 0.0 < args.frozen_at < 1.0:
        raise DistillLabError(f"expected --frozen_at between 0 and 1 (of the episode), found {args.frozen_at}")
    if not given:
        raise DistillLabError(
            "expected --teacher and/or --student (a checkpoint or an exported policy.onnx), found neither"
        )
    started = time.time()
    out = os.path.abspath(args.out or os.path.join("logs", "sim2sim", args.task, time.strftime("%Y-%m-%d_%H-%M-%S")))
    env_cfg, _ = resolve_configs(args.task, None, overrides, play=True)
    mjcf = mjcf_for(env_cfg, args.mjcf, args.task)
    policies = {role: export_onnx(args.task, getattr(args, f"{role}_agent"), path, os.path.join(out, role), overrides)
                for role, path in given.items()}  # fmt: skip
    contract = read_contract(policies.get("student") or policies["teacher"])
    kind, name = command_kind(contract)
    duration = args.duration or float(contract.get("episode_length_s") or 20.0)
    steps = int(round(duration / contract.control_dt))
    sequences = default_sequences(velocity_ranges(contract.command(name)), duration) if kind == "velocity" else None
    if kind not in ("velocity", "target"):
        raise DistillLabError(f"expected a velocity or target-point command in {contract.where}, found {kind}")
    num_envs = len(sequences) if kind == "velocity" else args.num_targets
    newton = run_newton(args.task, overrides, policies, steps, kind, name, sequences, num_envs, args.seed,
                        args.frozen_at)  # fmt: skip
    result = {"task": args.task, "mjcf": mjcf, "steps": steps, "duration_s": duration, "seed": args.seed,
              "physics": args.physics, "frozen_at": args.frozen_at, "roles": {}}  # fmt: skip
    for role, onnx in policies.items():
        summaries, episodes = newton[role]
        episodes_path = write_json(os.path.join(out, role, "episodes.json"), episodes)
        video = None if args.no_video else episodes["episodes"][-1]["name"]
        mujoco = run_mujoco(onnx, mjcf, episodes_path, os.path.join(out, role, "mujoco"), args, video)
        result["roles"][role] = {
            "onnx": onnx,
            "newton": {"summary": summarize_all(summaries), "episodes": summaries},
            "mujoco": {
                "summary": mujoco["summary"],
                "episodes": mujoco["episodes"],
                "physics": mujoco["physics"],
                "notes": mujoco["notes"],
                "video": mujoco["video"],
                "observation_parity": mujoco.get("observation_parity"),
            },  # fmt: skip
        }
    result["checks"] = checks(result, kind)
    result["table"] = table(result, kind)
    result["wall_s"] = round(time.time() - started, 1)
    write_json(os.path.join(out, "sim2sim.json"), result)
    physics = result["roles"][next(iter(policies))]["mujoco"]["physics"]
    header = [
        f"# {args.task}: Newton vs MuJoCo",
        "",
        f"{num_envs} episodes of {duration:g} s per policy, same start states and commands; MuJoCo on "
        f"`{os.path.basename(mjcf)}` with physics `{args.physics}` ({physics}).",
        "",
    ]
    with open(os.path.join(out, "sim2sim.md"), "w") as f:
        f.write("\n".join(header + result["table"]) + "\n")
    print("\n".join(result["table"]))
    print(f"[sim2sim] table: {os.path.join(out, 'sim2sim.md')} ({result['wall_s']:.0f} s)")
    result["folder"] = out
    return result
