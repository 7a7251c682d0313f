"""Benchmark: how fast a teacher run learns, read from its TensorBoard log (success rate against wall time).

    python bench/teacher_curve.py logs/rsl_rl/quadcopter_point_ctrl/<run> [--target 0.9]
Writes bench/results/teacher_curve_<experiment>.json and .png: the wall time and iteration at which the
episode-end success rate first reached the target, and the final success rate and distance.
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

SUCCESS = "Metrics/target/success_rate"
DISTANCE = "Metrics/target/final_distance"


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
    parser.add_argument("--target", type=float, default=0.9, help="Success rate to reach.")
    args = parser.parse_args()
    scalars = read_scalars(args.run_dir)
    success, distance = scalars[SUCCESS], scalars[DISTANCE]
    t0 = success[0][0]
    hit = next(((t - t0, step) for t, step, v in success if v >= args.target), (None, None))
    last = success[-5:]
    experiment = os.path.basename(os.path.dirname(os.path.abspath(args.run_dir)))
    result = {
        "benchmark": "teacher_curve",
        "run": os.path.abspath(args.run_dir),
        "iterations": success[-1][1] + 1,
        "wall_time_s": success[-1][0] - t0,
        "target_success_rate": args.target,
        "seconds_to_target": hit[0],
        "iteration_at_target": hit[1],
        "final_success_rate_mean_last5": sum(v for _, _, v in last) / len(last),
        "final_distance_mean_last5": sum(v for _, _, v in distance[-5:]) / len(distance[-5:]),
    }
    out = os.path.join(os.path.dirname(__file__), "results", f"teacher_curve_{experiment}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=2)
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    ax[0].plot([(t - t0) / 60 for t, _, _ in success], [v for _, _, v in success])
    ax[0].axhline(args.target, ls="--", c="gray")
    ax[0].set(xlabel="wall time [min]", ylabel="success rate", title="teacher success")
    ax[1].plot([(t - t0) / 60 for t, _, _ in distance], [v for _, _, v in distance])
    ax[1].set(xlabel="wall time [min]", ylabel="final distance [m]", yscale="log", title="final distance to target")
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=100)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
