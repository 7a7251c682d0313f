"""Benchmark: the shipped policies in MuJoCo against Newton on the same start states and commands (``distill-lab
sim2sim``), kept as ``bench/results/sim2sim_<task>.json`` with the command that regenerates it; the run's files (ONNX,
episodes, GIFs) stay under ``logs/sim2sim/``.

    python bench/sim2sim.py --task Quadcopter-Point-Ctrl [--num_targets 32] [--roles teacher student]
        [--teacher CHECKPOINT] [--student CHECKPOINT] [--duration S] [--factors [--frozen_at F]]

``--factors`` is the controlled experiment behind the differences: the MuJoCo side is replayed on the same episodes
with one physics setting at a time set to the training's (its time step, integrator, friction impedance ratio and
friction cone, then all of its solver settings), and each variant's one-step dynamics error (MuJoCo stepped once
from Newton's frozen state with Newton's action) and closed-loop metrics go to
``bench/results/sim2sim_factors_<task>.json``. More variants each change one thing against a reference variant
(named in its row under ``reference``, its return terms minus the reference's under ``minus_reference``; every row
has its return terms minus Newton's under ``minus_newton``):

- the noise floor of the closed loop: the MJCF's options, and the training's time step, with every start state
  moved by :data:`PERTURB` (``--perturb``: root position and velocities, seeded): MuJoCo against itself with a
  round-off sized disturbance (Newton runs in float32, MuJoCo in float64). A MuJoCo-Newton difference no larger
  than this one is the closed loop amplifying round-off, not a model difference;
- the motor model (a quadrotor's), twice: the MJCF's options with the motor lag advanced once per physics step of
  the training (``--motor_dt``; MuJoCo advances it every one of its own, shorter, steps), against the MJCF's
  options: how much of the time step's effect is the lag's discretisation rather than the rigid body's integration;
  and the training's time step with the motor time constant :data:`MOTOR_SCALE` times the nominal one, the policy
  not told (``--motor_time_constant``): what a motor-model error of that size moves.

The one-step check freezes Newton half way through each episode; ``--frozen_at 0.05`` freezes it early instead (the
transient flight to a target), into ``sim2sim_factors_<task>_frozen0.05.json``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import RESULTS, write_result
from distill_lab.cli import sim2sim
from distill_lab.deploy.contract import read_contract

PERTURB = 1e-5
"""Size of the noise-floor variants' start-state perturbation [m, m/s, rad/s] (``--perturb``)."""

MOTOR_SCALE = 1.25
"""The motor variant's time constant over the nominal one (the Crazyflie's 0.04 s -> 0.05 s, inside the training's
randomization range of 0.02-0.06 s)."""


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--num_targets", type=int, default=32)
    parser.add_argument("--roles", nargs="+", default=["teacher", "student"], choices=["teacher", "student"])
    parser.add_argument("--teacher", default="pretrained", help="Teacher checkpoint (default: the shipped one).")
    parser.add_argument("--student", default="pretrained", help="Student checkpoint (default: the shipped one).")
    parser.add_argument("--duration", type=float, default=None, help="Seconds per episode (default: the task's).")
    parser.add_argument("--factors", action="store_true", help="Replay MuJoCo with each training setting (see above).")
    parser.add_argument("--frozen_at", type=float, default=0.5, help="Where the one-step check freezes [0-1].")
    parser.add_argument("--results", default=RESULTS, help="Folder of the result file (default bench/results).")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    flags = ["--task", args.task, "--num_targets", str(args.num_targets), "--seed", "1", "--no_video"]
    flags += ["--duration", str(args.duration)] if args.duration else []
    flags += ["--frozen_at", str(args.frozen_at)]
    for role in args.roles:
        flags += [f"--{role}", getattr(args, role)]
    result = sim2sim.main(flags)
    rerun = ["--task", args.task, "--num_targets", str(args.num_targets), "--roles", *args.roles]
    rerun += [f"--{role}={getattr(args, role)}" for role in args.roles if getattr(args, role) != "pretrained"]
    rerun += ["--duration", str(args.duration)] if args.duration else []
    if args.factors:
        early = args.frozen_at != 0.5
        name = f"sim2sim_factors_{args.task}" + (f"_frozen{args.frozen_at:g}" if early else "")
        rerun += ["--factors", *(["--frozen_at", f"{args.frozen_at:g}"] if early else [])]
        return write_result(name, __file__, rerun, factors(result), args.results)
    result.pop("folder")
    result["mjcf"] = os.path.basename(result["mjcf"])  # built by the task's sim2sim.mjcf entry point
    for role in result["roles"].values():  # the table holds the numbers; episodes stay in logs/
        role["onnx"] = os.path.relpath(role["onnx"])
        for engine in ("newton", "mujoco"):
            role[engine].pop("episodes")
    return write_result(f"sim2sim_{args.task}", __file__, rerun, result, args.results)


def factors(result: dict) -> dict:
    """Replay each role's Newton episodes in MuJoCo under each physics variant; per variant and role, the one-step
    dynamics error, the closed-loop summary (falls, tracking or success, return terms) and its return terms minus
    Newton's, and for a variant against a reference variant (see the module's doc) minus the reference's."""
    physics = result["roles"][next(iter(result["roles"]))]["mujoco"]["physics"]
    contract = read_contract(next(iter(result["roles"].values()))["onnx"])
    training, motor = contract["physics"], contract.action_model("QuadrotorMotorAction")
    mjcf = f"MJCF's options ({physics['timestep']} s, {physics['integrator']})"
    step = f"the training's time step ({training['dt']} s)"
    variants = {
        mjcf: ("mjcf", "", None),
        step: ("mjcf", f"--timestep {training['dt']}", None),
        f"the training's integrator ({training['solver']['integrator']})": (
            "mjcf", f"--integrator {training['solver']['integrator']}", None),
        **{f"the training's {key} ({training['solver'][key]})": ("mjcf", f"--{key} {training['solver'][key]}", None)
           for key in ("impratio", "cone") if key in training["solver"]},
        "all of the training's solver settings": ("training", "", None),
        f"{mjcf}, start perturbed by {PERTURB:g}": ("mjcf", f"--perturb {PERTURB}", mjcf),
        f"{step}, start perturbed by {PERTURB:g}": ("mjcf", f"--timestep {training['dt']} --perturb {PERTURB}", step),
    }  # fmt: skip
    if motor:
        variants[f"{mjcf}, motor lag advanced every {training['dt']} s (the training's step)"] = (
            "mjcf", f"--motor_dt {training['dt']}", mjcf)  # fmt: skip
        tau = MOTOR_SCALE * motor["motor_time_constant"]
        name = f"{step}, motor time constant {tau:g} s (nominal {motor['motor_time_constant']:g} s, policy not told)"
        variants[name] = ("mjcf", f"--timestep {training['dt']} --motor_time_constant {tau:g}", step)
    out = {"task": result["task"], "mjcf": os.path.basename(result["mjcf"]), "steps": result["steps"],
           "frozen_at": result["frozen_at"], "variants": {}}  # fmt: skip
    for name, (mode, extra, reference) in variants.items():
        rows = {}
        for role, sides in result["roles"].items():
            folder = os.path.join(result["folder"], role)
            options = argparse.Namespace(physics=mode, mujoco_args=extra)
            report = sim2sim.run_mujoco(sides["onnx"], result["mjcf"], os.path.join(folder, "episodes.json"),
                                        os.path.join(folder, "factors", re.sub(r"[^\w.-]+", "_", name).strip("_")),
                                        options, None)  # fmt: skip
            terms = report["summary"]["return_terms"]
            rows[role] = {
                "one_step": report["observation_parity"]["step"],
                "mujoco": report["summary"],
                "newton": sides["newton"]["summary"],
                "minus_newton": _minus(terms, sides["newton"]["summary"]["return_terms"]),
                "physics": report["physics"],
            }
            if reference:
                theirs = out["variants"][reference][role]["mujoco"]["return_terms"]
                rows[role] |= {"reference": reference, "minus_reference": _minus(terms, theirs)}
        out["variants"][name] = rows
    return out


def _minus(terms: dict, other: dict) -> dict:
    """Each return term of ``terms`` minus ``other``'s."""
    return {key: value - other[key] for key, value in terms.items()}


if __name__ == "__main__":
    main()
