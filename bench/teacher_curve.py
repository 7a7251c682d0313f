"""Benchmark: how fast a PPO teacher learns here: train it, then read a task metric against wall time from its log.

    python bench/teacher_curve.py --task Quadcopter-Point-Ctrl --iterations 400
    python bench/teacher_curve.py --task blind_rl --iterations 250
Trains with distill_lab's train command (``--num_envs``, default the task's 1024; seed 42), then reads the run's
TensorBoard log. Writes ``bench/results/teacher_curve_<task>.json`` and ``.png``: the wall time and iteration at which
the task's metric first reached its target, and the mean of its last 5 logged values and of a secondary metric.
"""

from __future__ import annotations

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ROOT, relative, write_result
from distill_lab.cli import train  # noqa: E402
from distill_lab.evaluation.report import read_scalars  # noqa: E402

METRICS = {
    "Quadcopter-Point-Ctrl": ("Metrics/target/success_rate", 0.9, False, "Metrics/target/final_distance"),
    "blind_rl": ("Metrics/base_velocity/error_vel_xy", 0.1, True, "Metrics/base_velocity/error_vel_yaw"),
}
"""Task -> (metric, target, lower is better, secondary metric)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl", choices=list(METRICS))
    parser.add_argument("--iterations", type=int, default=400, help="PPO iterations of the teacher.")
    parser.add_argument("--num_envs", type=int, default=None, help="Envs (default: the task's).")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    flags = ["--num_envs", str(args.num_envs)] if args.num_envs else []
    run_dir = train.main(
        ["--task", args.task, "--max_iterations", str(args.iterations), "--run_name", "bench_teacher_curve", *flags]
    )
    metric, target, lower, secondary = METRICS[args.task]
    scalars = read_scalars(run_dir)
    values, second = scalars[metric], scalars[secondary]
    t0 = values[0][0]
    reached = (lambda v: v <= target) if lower else (lambda v: v >= target)
    hit = next(((t - t0, step) for t, step, v in values if reached(v)), (None, None))
    result = {
        "run": relative(run_dir),
        "iterations": values[-1][1] + 1,
        "wall_time_s": values[-1][0] - t0,
        "metric": metric,
        "target": target,
        "seconds_to_target": hit[0],
        "iteration_at_target": hit[1],
        "metric_mean_last5": sum(v for *_, v in values[-5:]) / len(values[-5:]),
        "secondary": secondary,
        "secondary_mean_last5": sum(v for *_, v in second[-5:]) / len(second[-5:]),
    }
    name = f"teacher_curve_{args.task}"
    write_result(name, __file__, argv, result)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    ax[0].plot([(t - t0) / 60 for t, _, _ in values], [v for *_, v in values])
    ax[0].axhline(target, ls="--", c="gray")
    ax[0].set(xlabel="wall time [min]", ylabel=metric.split("/")[-1], title=f"{args.task} teacher")
    ax[1].plot([(t - t0) / 60 for t, _, _ in second], [v for *_, v in second])
    ax[1].set(xlabel="wall time [min]", ylabel=secondary.split("/")[-1], yscale="log")
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "results", f"{name}.png"), dpi=100)


if __name__ == "__main__":
    main()
