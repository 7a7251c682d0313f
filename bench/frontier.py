"""Benchmark: the size / performance frontier. Student size against return ratio, success and ONNX latency for
one-step DAgger, feature matching and latent matching (and the progressive chain of ``bench/progressive.py``).

    python bench/frontier.py --task Quadcopter-Point-Ctrl --sizes 4:8 8:8 16:8 32:32 64:64,64 \\
        [--methods dagger feature latent] [--seeds 1 2 3] [--iterations 60] [--num_envs 512] [--name NAME] \\
        [agent.* Hydra overrides for every student]
A size ``H:W1,W2`` is a GRU of H units, then ELU layers of W1, W2 units. Every (method, size, seed) distills for
``--iterations`` (equal env steps; DAgger's settings, so equal gradient updates) and its final student is evaluated
(``--eval_envs`` envs, seed 1, one episode) with its parameter count and median ONNX latency at batch 1 (ONNX
Runtime, one thread). ``dagger`` and ``feature`` distill from the shipped teacher, ``latent`` from the shipped latent
teacher (``--latent_teacher``); each return ratio is to the method's own teacher. The progressive chain's final
students are added from ``bench/results/progressive_<task>.json`` when it exists. Finished (method, size, seed)
triples are kept and skipped on a rerun with the same settings, and processes measuring different seeds may share the
file. Writes ``bench/results/<NAME>.json`` (default ``frontier_<task>``) and ``.png`` (ratio and success against
parameters and latency; the black line is the Pareto front of all points).
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
    RESULTS,
    add_missing,
    agent_overrides,
    evaluate_teacher,
    final,
    relative,
    rerun_flags,
    saved,
    spread,
    write_result,
)
from distill_lab.io import read_json  # noqa: E402
from distill_lab.pretrained import pretrained_teacher  # noqa: E402

LATENT_TEACHER = "rsl_rl_latent_teacher_cfg_entry_point"
METHODS = {
    "dagger": ("rsl_rl_dagger_cfg_entry_point", "rsl_rl_cfg_entry_point"),
    "feature": ("rsl_rl_feature_cfg_entry_point", "rsl_rl_cfg_entry_point"),
    "latent": ("rsl_rl_latent_cfg_entry_point", LATENT_TEACHER),
}
"""Method -> (student entry point, the entry point of its teacher)."""
LATENCY = "latency_ms_batch1"


def pareto(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats with fewer (or as many) of x and more (or as much) of y, by x."""
    front, best = [], float("-inf")
    for x, y in sorted(points, key=lambda p: (p[0], -p[1])):
        if y > best:
            front.append((x, y))
            best = y
    return front


def plot(path: str, task: str, summary: dict) -> None:
    """Return ratio and success against parameters and against latency, per method, with the Pareto front."""
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    for row, x_key, x_label in ((0, "parameters", "parameters"), (1, LATENCY, "ONNX latency at batch 1 [ms]")):
        for col, key, label in ((0, "return_ratio", "student / teacher return"), (1, "success_rate", "success rate")):
            axis, everything = ax[row][col], []
            for method, sizes in summary.items():
                rows = sorted(sizes.values(), key=lambda r: r["parameters"])
                xs, ys = [r[x_key] for r in rows], [r[key]["mean"] for r in rows]
                line = "o-" if row == 0 else "o"  # latency need not grow with size: points only
                axis.errorbar(xs, ys, [r[key]["std"] for r in rows], fmt=line, capsize=3, label=method)
                everything += list(zip(xs, ys, strict=True))
            front = pareto(everything)
            axis.step([x for x, _ in front], [y for _, y in front], "k-", where="post", lw=1, label="Pareto front")
            axis.set(xscale="log" if row == 0 else "linear", xlabel=x_label, ylabel=label, title=task)
    ax[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def summarize(runs: dict, chain: dict | None) -> dict:
    """Per method and size: parameters, latency, and mean / std over seeds of the ratio, success and wall time."""
    summary = {}
    for method, sizes in runs.items():
        for size, seeds in sizes.items():
            rows = list(seeds.values())
            if rows:
                summary.setdefault(method, {})[size] = {
                    "parameters": rows[0]["profile"]["parameters"],
                    LATENCY: rows[0]["profile"].get(LATENCY),
                    **{m: spread([r[m] for r in rows]) for m in ("return_ratio", "success_rate", "wall_time_s")},
                }
    if chain:
        summary["progressive"] = {
            size: {**row, LATENCY: next(iter(chain["runs"]["chain"][size].values()))["profile"].get(LATENCY)}
            for size, row in chain["summary"].get("chain", {}).items()
        }
    return summary


def everything(args, runs: dict, overrides: list[str]) -> list[str]:
    """The command line that measures every (method, size, seed) the file holds."""
    shape = lambda s: [int(n) for n in s.replace(":", ",").split(",")]  # noqa: E731
    sizes = sorted({s for m in runs.values() for s in m}, key=shape)
    return rerun_flags(args, runs, overrides, "--sizes", *sizes, "--methods", *runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--sizes", nargs="+", default=["4:8", "8:8", "16:8", "32:32", "64:64,64"])
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_envs", type=int, default=256)
    parser.add_argument("--latent_teacher", default="pretrained", help="The latent teacher (default: the shipped).")
    parser.add_argument("--name", default=None, help="Result file name (default frontier_<task>).")
    argv = sys.argv[1:] if argv is None else list(argv)
    args, rest = parser.parse_known_args(argv)
    overrides = agent_overrides(parser, rest)
    args.eval_every, args.eval_seed, args.eval_steps, args.env_overrides = args.iterations, 1, None, []
    name = args.name or f"frontier_{args.task}"
    given = {LATENT_TEACHER: os.path.abspath(args.latent_teacher)} if args.latent_teacher != "pretrained" else {}
    teachers = {a: given.get(a) or pretrained_teacher(args.task, a) for a in {METHODS[m][1] for m in args.methods}}
    setting = {
        "task": args.task,
        "iterations": args.iterations,
        "num_envs": args.num_envs,
        "eval_envs": args.eval_envs,
        "teachers": {a: relative(p) for a, p in teachers.items()},
    }
    if overrides:
        setting["overrides"] = overrides
    path = os.path.join(RESULTS, f"{name}.json")
    old = saved(path, setting)
    runs = old.get("runs", {})
    teacher_evals = old.get("teacher_eval", {}) if runs else {}
    setting["teachers"] = {**(old["setting"]["teachers"] if runs else {}), **setting["teachers"]}
    progressive = os.path.join(RESULTS, f"progressive_{args.task}.json")
    chain = read_json(progressive) if os.path.exists(progressive) else None
    for seed in args.seeds:
        for size in args.sizes:
            for method in args.methods:
                agent, teacher_agent = METHODS[method]
                teacher = teachers[teacher_agent]
                if teacher_agent not in teacher_evals:
                    teacher_evals[teacher_agent] = evaluate_teacher(args, teacher_agent, teacher)
                done = runs.setdefault(method, {}).setdefault(size, {})
                if str(seed) in done:
                    continue
                done[str(seed)] = final(
                    args,
                    f"frontier_{method}",
                    seed,
                    size,
                    args.iterations,
                    teacher,
                    teacher_evals[teacher_agent]["mean_return"],
                    agent,
                    overrides,
                )
                latest = saved(path, setting)  # another process may have added seeds
                setting["teachers"] = {**latest.get("setting", {}).get("teachers", {}), **setting["teachers"]}
                teacher_evals = {**latest.get("teacher_eval", {}), **teacher_evals}
                add_missing(runs, latest.get("runs", {}))
                summary = summarize(runs, chain)
                write_result(
                    name,
                    __file__,
                    everything(args, runs, overrides),
                    {"setting": setting, "teacher_eval": teacher_evals, "runs": runs, "summary": summary},
                )
                plot(os.path.join(RESULTS, f"{name}.png"), args.task, summary)
    plot(os.path.join(RESULTS, f"{name}.png"), args.task, summarize(runs, chain))


if __name__ == "__main__":
    main()
