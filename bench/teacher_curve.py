"""Benchmark: how fast a teacher run learns, read from its TensorBoard log (a task metric against wall time).

    python bench/teacher_curve.py logs/rsl_rl/quadcopter_point_ctrl/<run> [--target 0.9]
    python bench/teacher_curve.py logs/rsl_rl/blind_rl/<run> --metric Metrics/base_velocity/error_vel_xy \
        --target 0.1 --lower_is_better --secondary Metrics/base_velocity/error_vel_yaw
Writes bench/results/teacher_curve_<experiment>.json and .png: the wall time and iteration at which the metric
first reached the target, and the mean of the last 5 logged values of the metric and of a secondary metric.
"""

from __future__ import annotations

import argparse
import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402


def read_scalars(run_dir: str) -> dict[str, list]:
    """All scalar series of a run: tag -> [(wall_time, step, value), ...]."""
    files = sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*")))
    if not files:
        raise SystemExit(f"no TensorBoard event file in {run_dir}")
    acc = EventAccumulator(files[-1], size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.wall_time, e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("--metric", default="Metrics/target/success_rate", help="TensorBoard tag to follow.")
    parser.add_argument("--secondary", default="Metrics/target/final_distance", help="A second tag to report.")
    parser.add_argument("--target", type=float, default=0.9, help="Value of --metric to reach.")
    parser.add_argument("--lower_is_better", action="store_true", help="The target is reached from above.")
    args = parser.parse_args()
    scalars = read_scalars(args.run_dir)
    success, distance = scalars[args.metric], scalars[args.secondary]
    t0 = success[0][0]
    reached = (lambda v: v <= args.target) if args.lower_is_better else (lambda v: v >= args.target)
    hit = next(((t - t0, step) for t, step, v in success if reached(v)), (None, None))
    last = success[-5:]
    experiment = os.path.basename(os.path.dirname(os.path.abspath(args.run_dir)))
    result = {
        "benchmark": "teacher_curve",
        "run": os.path.abspath(args.run_dir),
        "iterations": success[-1][1] + 1,
        "wall_time_s": success[-1][0] - t0,
        "metric": args.metric,
        "target": args.target,
        "seconds_to_target": hit[0],
        "iteration_at_target": hit[1],
        "metric_mean_last5": sum(v for _, _, v in last) / len(last),
        "secondary": args.secondary,
        "secondary_mean_last5": sum(v for _, _, v in distance[-5:]) / len(distance[-5:]),
    }
    out = os.path.join(os.path.dirname(__file__), "results", f"teacher_curve_{experiment}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=2)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    ax[0].plot([(t - t0) / 60 for t, _, _ in success], [v for _, _, v in success])
    ax[0].axhline(args.target, ls="--", c="gray")
    ax[0].set(xlabel="wall time [min]", ylabel=args.metric.split("/")[-1], title="teacher")
    ax[1].plot([(t - t0) / 60 for t, _, _ in distance], [v for _, _, v in distance])
    ax[1].set(xlabel="wall time [min]", ylabel=args.secondary.split("/")[-1], yscale="log")
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=100)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
