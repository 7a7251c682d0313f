"""Benchmark: scale-out with torchrun, 1 process against N, at the same total number of envs.

    python bench/scaling.py --task Quadcopter-Point-Ctrl [--agent rsl_rl_dagger_cfg_entry_point] [--procs 1 2] \\
        [--num_envs 512] [--iterations 60] [--eval_every 10] [--target 0.95]
Each run trains from the shipped teacher with ``torchrun --nproc_per_node=P scripts/rsl_rl/train.py --distributed``
(plain train.py for P = 1), ``num_envs / P`` envs per process, so every iteration collects the same env steps. From
the run's manifest: env-steps/s of training; its checkpoints are evaluated (256 envs, seed 1) for the wall time to
reach ``--target`` of the teacher's return. On GPUs the same command runs one process per GPU (NCCL):
``torchrun --nproc_per_node=<GPUs> scripts/rsl_rl/train.py --task T --distributed --device cuda``.
Writes ``bench/results/scaling_<task>.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import DAGGER, ROOT, pinned, relative, write_result
from distill_lab.cli import evaluate
from distill_lab.io import read_manifest


def train(args, procs: int) -> str:
    """One training run with ``procs`` processes; its run folder (found by its run name)."""
    name = f"bench_scaling_{procs}p"
    flags = [
        "--task",
        args.task,
        "--agent",
        args.agent,
        "--num_envs",
        str(args.num_envs // procs),
        "--max_iterations",
        str(args.iterations),
        "--teacher_checkpoint",
        "pretrained",
        "--run_name",
        name,
        "--seed",
        "1",
        f"agent.save_interval={args.eval_every}",
        *pinned(args.agent),
    ]
    launcher = [os.path.join(os.path.dirname(sys.executable), "torchrun"), "--standalone", f"--nproc_per_node={procs}"]
    script = os.path.join(ROOT, "scripts", "rsl_rl", "train.py")
    cmd = [*launcher, script, *flags, "--distributed"] if procs > 1 else [sys.executable, script, *flags]
    subprocess.run(cmd, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    from isaaclab_tasks.utils import load_cfg_from_registry

    root = os.path.join("logs", "rsl_rl", load_cfg_from_registry(args.task, args.agent).experiment_name)
    return os.path.join(root, max(d for d in os.listdir(root) if d.endswith(name)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--agent", default=DAGGER, help="Entry point (DAgger runs with its base settings).")
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--num_envs", type=int, default=512, help="Envs in all (split over the processes).")
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--eval_every", type=int, default=10)
    parser.add_argument("--target", type=float, default=0.95, help="Fraction of the teacher's return to reach.")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    from distill_lab.pretrained import pretrained_teacher

    evaluation = ["--task", args.task, "--num_envs", "256", "--seed", "1", "--no_profile", "--no_noise"]
    teacher = evaluate.main([*evaluation, "--checkpoints", pretrained_teacher(args.task)])[0]["mean_return"]
    rows = []
    for procs in args.procs:
        run_dir = train(args, procs)
        saved = read_manifest(run_dir)["checkpoints"]
        results = evaluate.main(
            [
                *evaluation,
                "--agent",
                args.agent,
                "--checkpoints",
                *(os.path.join(run_dir, c["checkpoint"]) for c in saved),
            ]
        )
        curve = [
            {
                "iteration": c["iteration"] + 1,
                "env_steps": c["total_env_steps"],
                "wall_time_s": c["training_seconds"],
                "return_ratio": r["mean_return"] / teacher,
            }
            for c, r in zip(saved, results, strict=True)
        ]
        hit = next((p for p in curve if p["return_ratio"] >= args.target), None)
        last = curve[-1]
        rows.append(
            {
                "processes": procs,
                "envs_per_process": args.num_envs // procs,
                "run": relative(run_dir),
                "env_steps_per_s": last["env_steps"] / last["wall_time_s"],
                "curve": curve,
                "final_return_ratio": last["return_ratio"],
                "wall_time_to_target_s": hit and hit["wall_time_s"],
            }
        )
        print(f"{procs} process(es): {rows[-1]['env_steps_per_s']:.0f} env-steps/s, to {args.target}: {hit}")
    write_result(
        f"scaling_{args.task}",
        __file__,
        argv,
        {"agent": args.agent, "num_envs": args.num_envs, "target": args.target, "results": rows},
    )


if __name__ == "__main__":
    main()
