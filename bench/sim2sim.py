"""Benchmark: the shipped policies in MuJoCo against Newton on the same start states and commands (``distill-lab
sim2sim``), kept as ``bench/results/sim2sim_<task>.json`` with the command that regenerates it; the run's files (ONNX,
episodes, GIFs) stay under ``logs/sim2sim/``.

    python bench/sim2sim.py --task Quadcopter-Point-Ctrl [--num_targets 32] [--roles teacher student]
"""

from __future__ import annotations

import argparse
import os
import sys

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import RESULTS, write_result
from distill_lab.cli import sim2sim


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--num_targets", type=int, default=32)
    parser.add_argument("--roles", nargs="+", default=["teacher", "student"], choices=["teacher", "student"])
    parser.add_argument("--results", default=RESULTS, help="Folder of the result file (default bench/results).")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    flags = ["--task", args.task, "--num_targets", str(args.num_targets), "--seed", "1", "--no_video"]
    for role in args.roles:
        flags += [f"--{role}", "pretrained"]
    result = sim2sim.main(flags)
    result.pop("folder")
    result["mjcf"] = os.path.basename(result["mjcf"])  # built by the task's sim2sim.mjcf entry point
    for role in result["roles"].values():  # the table holds the numbers; episodes stay in logs/
        role["onnx"] = os.path.relpath(role["onnx"])
        for engine in ("newton", "mujoco"):
            role[engine].pop("episodes")
    rerun = ["--task", args.task, "--num_targets", str(args.num_targets), "--roles", *args.roles]
    return write_result(f"sim2sim_{args.task}", __file__, rerun, result, args.results)


if __name__ == "__main__":
    main()
