"""Benchmark: the main job (``scripts/pipeline.py`` with its defaults) over several seeds: the student's return and
success against its teacher's on identical initial states, and the whole job's wall time with each stage's.

    python bench/main_job.py --task Quadcopter-Point-Ctrl [--seeds 1 2 3] [pipeline flags and overrides ...]
Each seed runs ``python scripts/pipeline.py`` as a user types it, in its own process (so the wall time includes
Python's start and its imports), from scratch in ``logs/pipeline/<task>/bench_main_s<seed>/`` (student, evaluation,
export with the GIF, sim-to-sim, report); the result reads the pipeline's ``evaluation.json`` and ``state.json``
(each stage's seconds). Finished seeds are kept and skipped on a rerun with the same pipeline flags and observation
noise (the pipeline's evaluation keeps the students' trained noise unless ``--no_noise``). Writes
``bench/results/main_job_<task>.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import RESULTS, ROOT, spread, write_result
from distill_lab.io import DistillLabError, read_json


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
        folder = os.path.join(ROOT, "logs", "pipeline", args.task, name)
        shutil.rmtree(folder, ignore_errors=True)
        command = [sys.executable, os.path.join(ROOT, "scripts", "pipeline.py"), "--task", args.task, "--seed",
                   str(seed), "--name", name, *extra]  # fmt: skip
        started = time.time()
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            raise DistillLabError(
                f"expected the pipeline of seed {seed} to finish, found it failed: {' '.join(command)}"
            )
        wall_time = time.time() - started
        evaluation = read_json(os.path.join(folder, "evaluation.json"), "the pipeline's evaluation")
        state = read_json(os.path.join(folder, "state.json"), "the pipeline's state")
        student, teacher = evaluation["student"], evaluation["teacher"]
        runs[str(seed)] = {
            "wall_time_s": wall_time,
            "stage_seconds": {stage: round(done["seconds"], 1) for stage, done in state.items()},
            "return_ratio": evaluation["return_ratio"],
            "student_success": student["success_rate"],
            "teacher_success": teacher["success_rate"],
            "student_return": student["mean_return"],
            "teacher_return": teacher["mean_return"],
        }
        rows = list(runs.values())
        summary = {k: spread([r[k] for r in rows]) for k in rows[0] if k != "stage_seconds"}
        times = [r["stage_seconds"] for r in rows if "stage_seconds" in r]  # rows from before it have none
        summary["stage_seconds"] = {k: spread([t.get(k, 0.0) for t in times]) for k in times[0]} if times else {}
        seeds = sorted(runs, key=int)
        write_result(
            f"main_job_{args.task}",
            __file__,
            ["--task", args.task, "--seeds", *seeds, *extra],
            {"extra": extra, "observation_noise": noise, "runs": runs, "summary": summary},
        )


if __name__ == "__main__":
    main()
