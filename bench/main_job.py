"""Benchmark: the main job (``scripts/pipeline.py`` with its defaults) over several seeds: the student's return and
success against its teacher's on identical initial states, and the whole job's wall time.

    python bench/main_job.py --task Quadcopter-Point-Ctrl [--seeds 1 2 3] [pipeline overrides ...]
Each seed runs the pipeline from scratch in ``logs/pipeline/<task>/bench_main_s<seed>/`` (teacher, student, evaluation
with the robustness sweep, export, GIF, report). Finished seeds are kept and skipped on a rerun with the same
pipeline overrides and observation noise (the pipeline's evaluation keeps the students' trained noise unless
``--no_noise``). Writes ``bench/results/main_job_<task>.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import RESULTS, ROOT, spread, write_result
from distill_lab.cli import pipeline
from distill_lab.io import read_json


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    path = os.path.join(RESULTS, f"main_job_{args.task}.json")
    noise = "--no_noise" not in extra  # the pipeline evaluates with the students' trained observation noise by default
    old = read_json(path) if os.path.exists(path) else {}
    same = old.get("extra", []) == extra and old.get("observation_noise", False) == noise
    runs = old.get("runs", {}) if same else {}
    for seed in args.seeds:
        if str(seed) in runs:
            print(f"seed {seed}: measured before, kept")
            continue
        name = f"bench_main_s{seed}"
        shutil.rmtree(os.path.join(ROOT, "logs", "pipeline", args.task, name), ignore_errors=True)
        started = time.time()
        evaluation = pipeline.main(["--task", args.task, "--seed", str(seed), "--name", name, *extra])
        student, teacher = evaluation["student"], evaluation["teacher"]
        runs[str(seed)] = {
            "wall_time_s": time.time() - started,
            "return_ratio": evaluation["return_ratio"],
            "student_success": student["success_rate"],
            "teacher_success": teacher["success_rate"],
            "student_return": student["mean_return"],
            "teacher_return": teacher["mean_return"],
        }
        rows = list(runs.values())
        summary = {k: spread([r[k] for r in rows]) for k in rows[0]}
        seeds = sorted(runs, key=int)
        write_result(
            f"main_job_{args.task}",
            __file__,
            ["--task", args.task, "--seeds", *seeds, *extra],
            {"extra": extra, "observation_noise": noise, "runs": runs, "summary": summary},
        )


if __name__ == "__main__":
    main()
