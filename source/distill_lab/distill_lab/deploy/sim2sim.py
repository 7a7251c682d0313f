"""Run an exported policy in a second simulator: MuJoCo (C) on the robot's MJCF, the observation vector rebuilt from
MuJoCo's state as the metadata of ``policy.onnx`` names it (terms, order, joints by name, scale, clip; noise off),
actions through the training's actuator model, the task's commands driven; a JSON report and a video.

    python scripts/deploy/sim2sim.py policy.onnx --mjcf go1.xml [--out DIR] [--physics mjcf|training]
        [--sequences seq.json | --episodes episodes.json] [--duration 20] [--num_targets 16] [--start task|nominal]
        [--timestep S --integrator NAME --cone NAME --impratio X --iterations N] [--video NAME|none] [--steps N]
        [--perturb EPS] [--motor_time_constant S] [--motor_dt S]

Velocity-command policies walk the default sequences (stand, forward, backward, lateral, turn, mixed across the
command's ranges, ``--duration`` seconds each) or ``--sequences``; target-point policies fly to ``--num_targets``
targets drawn from the command's ranges. Start states are drawn as the task's reset events draw them (``--start
task``) or are the robot's init state (``nominal``). ``--episodes`` replays exact start states and commands (what
``distill_lab.cli.sim2sim`` records in Isaac Lab); the states it froze half way through are copied into MuJoCo and
the rebuilt observation is compared with Isaac Lab's term by term (``observation_parity`` in the report). Physics:
the MJCF's own options (``mjcf``, the default: MuJoCo's defaults where the MJCF sets none) or the training's time step
and solver settings (``training``); single options override either. The report (``DIR/report.json``) holds each
episode's tracking error or success, falls, and reward terms, and their means; the video (``DIR/<episode>.gif``)
follows one episode.

Two controlled changes for experiments: ``--perturb EPS`` moves every start state's root position and linear and
angular velocity by seeded uniform noise in [-EPS, EPS] per component (MuJoCo against itself with a round-off sized
disturbance: how much the closed loop amplifies it); ``--motor_time_constant S`` flies a quadrotor with that motor time
constant instead of the metadata's, without telling the policy (its privileged observation stays nominal);
``--motor_dt S`` advances its motor lag every S seconds (e.g. the training's physics step) instead of every physics
step, the thrust held in between.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence

import numpy as np

from distill_lab.io import DistillLabError, write_json

from .commands import (
    VelocitySequence,
    default_sequences,
    nominal_state,
    read_sequences,
    sample_state,
    sample_targets,
    velocity_ranges,
)
from .contract import Contract, read_contract
from .render import Recorder, choose_backend
from .runner import Episode, command_kind, observation_parity, run_episodes
from .scene import PhysicsOptions, build_scene


def make_parser() -> argparse.ArgumentParser:
    """The command's flags."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("policy", help="The exported policy.onnx (with distill_lab's metadata).")
    parser.add_argument("--mjcf", required=True, help="The robot's MJCF (e.g. Menagerie's go1.xml).")
    parser.add_argument("--out", default=None, help="Output folder (default: <policy folder>/sim2sim).")
    parser.add_argument(
        "--physics",
        choices=("mjcf", "training"),
        default="mjcf",
        help="MuJoCo options: the MJCF's own (default) or the training's time step and solver.",
    )
    parser.add_argument("--timestep", type=float, default=None, help="Physics time step [s] (overrides --physics).")
    parser.add_argument("--integrator", default=None, help="euler | implicit | implicitfast | rk4.")
    parser.add_argument("--cone", default=None, help="pyramidal | elliptic.")
    parser.add_argument("--impratio", type=float, default=None, help="Frictional-to-normal impedance ratio.")
    parser.add_argument("--iterations", type=int, default=None, help="Constraint solver iterations.")
    parser.add_argument("--sequences", default=None, help="JSON velocity sequences (default: six across the range).")
    parser.add_argument("--episodes", default=None, help="JSON episodes: exact start states and commands to replay.")
    parser.add_argument("--duration", type=float, default=None, help="Seconds per episode (default: the task's).")
    parser.add_argument("--steps", type=int, default=None, help="Control steps per episode (overrides --duration).")
    parser.add_argument("--num_targets", type=int, default=16, help="Target points for a target-point policy.")
    parser.add_argument("--start", choices=("task", "nominal"), default="task", help="How start states are chosen.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the start states and targets.")
    parser.add_argument("--video", default=None, help="Episode to film (name or index; default the last), or none.")
    parser.add_argument("--video_format", choices=("gif", "mp4"), default="gif", help="Video file type.")
    parser.add_argument("--wind", type=float, nargs=3, default=None, help="Constant world-frame wind force [N] "
                        "on a quadrotor (default none).")  # fmt: skip
    parser.add_argument("--perturb", type=float, default=0.0, help="Move each start state's root position [m], linear "
                        "[m/s] and angular velocity [rad/s] by uniform noise in [-EPS, EPS] per component, drawn from "
                        "--seed (default 0: none).")  # fmt: skip
    parser.add_argument("--motor_time_constant", type=float, default=None, help="A quadrotor's motor time constant "
                        "[s] instead of the metadata's, hidden from the policy (default: the metadata's).")  # fmt: skip
    parser.add_argument("--motor_dt", type=float, default=None, help="Advance a quadrotor's motor lag every S seconds, "
                        "a whole number of physics steps (default: every physics step).")  # fmt: skip
    return parser


PERTURBED = ("root_pos", "root_lin_vel_w", "root_ang_vel_w")
"""Start-state entries ``--perturb`` moves (3-vectors; a missing velocity counts as zero)."""


def perturb_starts(episodes: list[Episode], eps: float, seed: int) -> list[Episode]:
    """``episodes`` with each start state's :data:`PERTURBED` entries moved by uniform noise in [-eps, eps] per
    component (one generator seeded ``seed``, episodes in order); ``eps`` 0 returns them unchanged."""
    if not eps >= 0.0:
        raise DistillLabError(f"expected --perturb to be a size >= 0, found {eps}")
    if eps == 0.0:
        return episodes
    rng = np.random.default_rng(seed)
    moved = []
    for episode in episodes:
        state = dict(episode.start_state)
        for key in PERTURBED:
            value = np.asarray(state.get(key, np.zeros(3)), float)
            state[key] = (value + rng.uniform(-eps, eps, value.shape)).tolist()
        moved.append(Episode(episode.name, state, episode.commands))
    return moved


def set_motor(contract: Contract, time_constant: float | None, period: float | None, timestep: float) -> None:
    """Give the quadrotor's motor model ``time_constant`` [s] and the lag's update ``period`` [s] (None: keep the
    metadata's time constant, advance every physics step of ``timestep`` [s])."""
    if time_constant is None and period is None:
        return
    model = contract.action_model("QuadrotorMotorAction")
    if model is None:
        raise DistillLabError("expected a quadrotor policy for --motor_time_constant or --motor_dt, found none in the "
                              "metadata's actions")  # fmt: skip
    if time_constant is not None:
        if not time_constant > 0.0:
            raise DistillLabError(f"expected --motor_time_constant > 0 [s], found {time_constant}")
        model["motor_time_constant"] = float(time_constant)
    if period is not None:
        steps = period / timestep
        if not (0.5 <= steps < 1e9 and abs(steps - round(steps)) < 1e-6):
            raise DistillLabError(f"expected --motor_dt to be a whole number of physics steps of {timestep:g} s, "
                                  f"found {period:g} s")  # fmt: skip
        model["update_period"] = float(period)


def physics_options(args: argparse.Namespace, contract: Contract) -> PhysicsOptions:
    """The options the flags ask for (``--physics`` then the single options on top)."""
    base = PhysicsOptions.training(contract) if args.physics == "training" else PhysicsOptions()
    single = PhysicsOptions(timestep=args.timestep, integrator=args.integrator, cone=args.cone,
                            impratio=args.impratio, iterations=args.iterations)  # fmt: skip
    return base.merged(single)


def _commands_from_json(value, steps: int, dt: float) -> np.ndarray:
    """A command's values from an episodes file: ``{"segments": [[duration, ...], ...]}``, a per-step list, or one
    fixed value."""
    if isinstance(value, dict) and "segments" in value:
        return VelocitySequence("file", [tuple(s) for s in value["segments"]]).per_step(steps, dt)
    return np.asarray(value, float)


def read_episodes(path: str, steps: int | None, dt: float) -> tuple[list[Episode], int, list[dict]]:
    """Episodes, their length in control steps and the frozen instants to check the observation against, from a
    JSON file: ``{"steps": N, "episodes": [{"name", "start_state", "commands": {name: value}}], "frozen": [...]}``
    (``frozen`` optional: :func:`distill_lab.evaluation.sim2sim.frozen_instant`)."""
    try:
        with open(path) as f:
            raw = json.load(f)
        steps = int(steps or raw["steps"])
        episodes = [
            Episode(
                e["name"], e["start_state"], {k: _commands_from_json(v, steps, dt) for k, v in e["commands"].items()}
            )
            for e in raw["episodes"]
        ]
        frozen = list(raw.get("frozen", []))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DistillLabError(
            f"expected {{'steps', 'episodes': [{{'name', 'start_state', 'commands'}}]}} in {path}, found: {err}"
        ) from None
    return episodes, steps, frozen


def make_episodes(args: argparse.Namespace, contract: Contract) -> tuple[list[Episode], int, list[dict]]:
    """The episodes the flags ask for, their length in control steps and the frozen instants of an episodes file."""
    dt = contract.control_dt
    if args.episodes:
        return read_episodes(args.episodes, args.steps, dt)
    kind, name = command_kind(contract)
    rng = np.random.default_rng(args.seed)
    duration = args.duration or float(contract.get("episode_length_s") or 20.0)

    def start() -> dict:
        return sample_state(contract, rng) if args.start == "task" else nominal_state(contract)

    if kind == "velocity":
        sequences = (
            read_sequences(args.sequences)
            if args.sequences
            else default_sequences(velocity_ranges(contract.command(name)), duration)
        )
        steps = args.steps or int(round(max(s.duration for s in sequences) / dt))
        return [Episode(s.name, start(), {name: s.per_step(steps, dt)}) for s in sequences], steps, []
    if kind == "target":
        steps = args.steps or int(round(duration / dt))
        targets = sample_targets(contract.command(name), args.num_targets, rng)
        return [Episode(f"target_{i}", start(), {name: t}) for i, t in enumerate(targets)], steps, []
    raise DistillLabError(
        f"expected a velocity or target-point command in {contract.where}'s metadata, found "
        f"{[c['class'] for c in contract['commands']] or 'none'}"
    )


def summarize_all(episodes: list[dict]) -> dict:
    """Means over episodes: tracking errors or success, falls, return and each return term."""
    summary = {"episodes": len(episodes), "falls": int(sum(e["fell"] for e in episodes))}
    for key in ("error_vel_xy", "error_vel_yaw", "final_distance", "return"):
        values = [e[key] for e in episodes if key in e]
        if values:
            summary[key] = float(np.mean(values))
    if any("success" in e for e in episodes):
        summary["success_rate"] = float(np.mean([e["success"] for e in episodes]))
    terms = episodes[0]["return_terms"] if episodes else {}
    summary["return_terms"] = {k: float(np.mean([e["return_terms"][k] for e in episodes])) for k in terms}
    return summary


def run(args: argparse.Namespace) -> dict:
    """Build the scene, run the episodes, film one, write the report; return the report."""
    started = time.time()
    contract = read_contract(args.policy)
    out = os.path.abspath(args.out or os.path.join(os.path.dirname(os.path.abspath(args.policy)), "sim2sim"))
    if args.wind is not None and contract.action_model("QuadrotorMotorAction") is None:
        raise DistillLabError("expected a quadrotor policy for --wind, found none in the metadata's actions")
    episodes, steps, frozen = make_episodes(args, contract)
    episodes = perturb_starts(episodes, args.perturb, args.seed)
    if steps <= 0:
        raise DistillLabError(f"expected a positive number of control steps, found {steps}")
    scene = build_scene(os.path.abspath(args.mjcf), contract, physics_options(args, contract))
    set_motor(contract, args.motor_time_constant, args.motor_dt, float(scene.model.opt.timestep))
    video_index = _video_index(args.video, episodes)
    recorder = None
    if video_index is not None:
        recorder = Recorder(scene.model, stride=max(1, int(round(contract["control_rate_hz"] / 12.5))))
    parity = observation_parity(scene, contract, episodes, frozen) if frozen else None
    try:
        results = run_episodes(scene, contract, args.policy, episodes, steps, recorder, video_index or 0,
                               wind=args.wind)  # fmt: skip
        video = None
        if recorder is not None:
            name = episodes[video_index].name
            video = recorder.write(os.path.join(out, f"{name}.{args.video_format}"))
    finally:
        if recorder is not None:
            recorder.close()
    report = {
        "policy": os.path.abspath(args.policy),
        "mjcf": os.path.abspath(args.mjcf),
        "task": contract.get("task"),
        "steps": steps,
        "duration_s": steps * contract.control_dt,
        "physics": scene.options,
        "physics_training": {"dt": contract["physics"]["dt"], "solver": contract["physics"].get("solver")},
        "substeps": scene.substeps,
        "perturb": args.perturb,
        "motor": contract.action_model("QuadrotorMotorAction"),
        "notes": scene.notes,
        "observation_parity": parity,
        "summary": summarize_all(results),
        "episodes": results,
        "video": video,
        "wall_s": round(time.time() - started, 2),
    }
    write_json(os.path.join(out, "report.json"), report)
    s = report["summary"]
    line = ", ".join(f"{k} {v:.3f}" for k, v in s.items() if isinstance(v, float))
    print(f"[sim2sim] {len(results)} episodes x {steps} steps in MuJoCo: falls {s['falls']}, {line}")
    print(f"[sim2sim] report: {os.path.join(out, 'report.json')}" + (f", video: {video}" if video else ""))
    return report


def _video_index(choice: str | None, episodes: list[Episode]) -> int | None:
    """Index of the episode to film (None: no video)."""
    if choice is None:
        return len(episodes) - 1
    if choice.lower() == "none":
        return None
    names = [e.name for e in episodes]
    if choice in names:
        return names.index(choice)
    if choice.isdigit() and int(choice) < len(episodes):
        return int(choice)
    raise DistillLabError(f"expected --video to name an episode ({', '.join(names)}), an index or none, found {choice}")


def main(argv: Sequence[str] | None = None) -> dict:
    """Parse ``argv`` and :func:`run`."""
    return run(make_parser().parse_args(argv))


if __name__ == "__main__":
    choose_backend()
    from distill_lab.io import run_cli

    run_cli(main)
