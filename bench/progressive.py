"""Benchmark: progressive distillation (teacher -> medium student -> small student) against distilling each size
straight from the teacher with the same total env steps.

    python bench/progressive.py --task Quadcopter-Point-Ctrl --chain 64:64,64 16:8 8:8 [--seeds 1 2 3] \\
        [--iterations 60] [--num_envs 512] [--eval_steps N] [--name NAME] [agent.* Hydra overrides for every stage]
A size ``H:W1,W2`` is a GRU of H units, then ELU layers of W1, W2 units (``64:64,64`` is the quadcopter's student,
``16:8`` its RAPTOR-sized one). Stage i of the chain distills its size with DAgger (the task's settings) for
``--iterations`` from stage i-1's final student (``--teacher_checkpoint <student checkpoint>``; stage 1 from the shipped
teacher). ``direct`` distills the same size from the teacher for i x ``--iterations``, the chain's env steps up to
that stage (``total_env_steps``). Every final student is evaluated (``--eval_envs`` envs, seed 1, one episode) with
its parameter count and ONNX latency. Finished (size, seed) pairs are kept and skipped on a rerun with the same
settings, and processes measuring different seeds may share the file. Writes ``bench/results/<NAME>.json`` (default
``progressive_<task>``; ``--results`` moves it) and ``.png``.
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
from bench.common import (
    DAGGER,
    RESULTS,
    ROOT,
    add_missing,
    agent_overrides,
    evaluate_teacher,
    final,
    rerun_flags,
    saved,
    spread,
    write_result,
)
from distill_lab.pretrained import pretrained_teacher  # noqa: E402


def plot(path: str, task: str, summary: dict) -> None:
    """Return ratio and success rate against parameters, chain and direct."""
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for name, marker in (("chain", "o-"), ("direct", "s--")):
        rows = summary.get(name, {})
        sizes = sorted(rows, key=lambda s: rows[s]["parameters"])
        for axis, key in zip(ax, ("return_ratio", "success_rate"), strict=True):
            axis.errorbar(
                [rows[s]["parameters"] for s in sizes],
                [rows[s][key]["mean"] for s in sizes],
                [rows[s][key]["std"] for s in sizes],
                fmt=marker,
                capsize=3,
                label=name,
            )
            for s in sizes:
                axis.annotate(s, (rows[s]["parameters"], rows[s][key]["mean"]), fontsize=7)
    for axis, key in zip(ax, ("student / teacher return", "success rate"), strict=True):
        axis.set(xscale="log", xlabel="parameters", ylabel=key, title=task)
    ax[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--chain", nargs="+", default=["64:64,64", "16:8", "8:8"], help="Sizes H:W1,W2, largest first.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--iterations", type=int, default=60, help="Iterations per stage.")
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_envs", type=int, default=256)
    parser.add_argument("--eval_steps", type=int, default=None, help="Steps per evaluation (default: one episode).")
    parser.add_argument("--name", default=None, help="Result file name (default progressive_<task>).")
    parser.add_argument("--results", default=RESULTS, help="Folder of the result files (default bench/results).")
    argv = sys.argv[1:] if argv is None else list(argv)
    args, rest = parser.parse_known_args(argv)
    overrides = agent_overrides(parser, rest)
    args.eval_every, args.eval_seed, args.env_overrides = args.iterations, 1, []
    name = args.name or f"progressive_{args.task}"
    teacher = pretrained_teacher(args.task)
    setting = {
        "task": args.task,
        "chain": args.chain,
        "iterations": args.iterations,
        "num_envs": args.num_envs,
        "eval_envs": args.eval_envs,
    }
    if args.eval_steps:
        setting["eval_steps"] = args.eval_steps
    if overrides:
        setting["overrides"] = overrides
    path = os.path.join(args.results, f"{name}.json")
    old = saved(path, setting)
    runs = old.get("runs", {})
    teacher_eval = old.get("teacher_eval") if runs else None
    if teacher_eval is None:
        teacher_eval = evaluate_teacher(args, "rsl_rl_cfg_entry_point", teacher)
    for seed in args.seeds:
        previous = teacher
        for i, size in enumerate(args.chain):
            for kind in ("chain", "direct"):
                key = runs.setdefault(kind, {}).setdefault(size, {})
                if str(seed) not in key:
                    start, n = (previous, args.iterations) if kind == "chain" else (teacher, (i + 1) * args.iterations)
                    if kind == "direct" and i == 0:  # the first stage is the same run
                        key[str(seed)] = runs["chain"][size][str(seed)]
                        continue
                    key[str(seed)] = row = final(
                        args, kind, seed, size, n, start, teacher_eval["mean_return"], DAGGER, overrides
                    )
                    before = runs["chain"][args.chain[i - 1]][str(seed)]["total_env_steps"] if i else 0
                    row["total_env_steps"] = row["env_steps"] + (before if kind == "chain" else 0)
                    add_missing(runs, saved(path, setting).get("runs", {}))  # another process may have added seeds
                    summary = {
                        k: {
                            s: {
                                "parameters": next(iter(r.values()))["profile"]["parameters"],
                                **{
                                    m: spread([x[m] for x in r.values()])
                                    for m in ("return_ratio", "success_rate", "total_env_steps", "wall_time_s")
                                },
                            }
                            for s, r in v.items()
                            if r
                        }
                        for k, v in runs.items()
                    }
                    write_result(
                        name,
                        __file__,
                        rerun_flags(args, runs, overrides, "--chain", *args.chain),
                        {"setting": setting, "teacher_eval": teacher_eval, "runs": runs, "summary": summary},
                        args.results,
                    )
                    plot(os.path.join(args.results, f"{name}.png"), args.task, summary)
            previous = os.path.join(ROOT, runs["chain"][size][str(seed)]["checkpoint"])


if __name__ == "__main__":
    main()
