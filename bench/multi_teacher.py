"""Benchmark: one student from K specialist teachers (RAPTOR-style) against the single privileged teacher's student.

    python bench/multi_teacher.py --teachers logs/teachers/Quadcopter-Point-Ctrl/k16/teachers.json --ks 2 4 8 \\
        [--seeds 1 2 3] [--iterations 60] [--num_envs 512] [--eval_envs 256]
Every student is the task's GRU trained by DAgger with its base settings and the same env steps (iterations x num_envs x
24): ``single`` from the shipped privileged teacher, and ``k<K>`` from the manifest's first K specialists, each env
flying its own teacher's vehicle. Each final student is evaluated (seed 1, the same initial states) on
``held_out`` vehicles (the task's randomization: same ranges, none of the specialists'), on the two ``edge``
vehicles of the ranges (every specialist parameter at its low end, or at its high end), and on ``teachers``, the
vehicles of all the manifest's specialists used (``evaluate.py --conditions``). Multi-teacher students are also
evaluated ``own``: on their own teachers' vehicles against each env's teacher (action error). The specialists'
evaluations on their own vehicles (from the manifest) are the upper reference. Finished (student, seed) pairs are
kept and skipped on a rerun with the same settings. Writes ``bench/results/multi_teacher_<task>.json`` and ``.png``.
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
from bench.common import DAGGER, RESULTS, ROOT, pinned, relative, spread, write_result
from distill_lab.cli import evaluate, train  # noqa: E402
from distill_lab.cli.teachers import overrides  # noqa: E402
from distill_lab.io import latest_checkpoint, read_json, read_manifest, read_teachers, write_teachers  # noqa: E402
from distill_lab.pretrained import pretrained_teacher  # noqa: E402

MULTI = "rsl_rl_multi_teacher_cfg_entry_point"
METRICS = ("mean_return", "success_rate", "final_distance", "action_mae")


def edges(task: str) -> dict[str, dict]:
    """The two corner vehicles of the task's specialist ranges: every parameter at its low end, or at its high end."""
    from isaaclab_tasks.utils import load_cfg_from_registry

    env_cfg = load_cfg_from_registry(task, "env_cfg_entry_point")
    spec = env_cfg.specialist
    ranges = getattr(env_cfg.events, spec.event).params
    return {
        f"edge_{end}": {spec.event: {p: ranges[p][i] for p in spec.params}} for i, end in enumerate(("low", "high"))
    }


def evaluations(args, agent: str, checkpoint: str, teachers_all: str, multi: bool) -> dict:
    """The student's metrics on each evaluation set."""
    base = f"--task {args.task} --num_envs {args.eval_envs} --seed 1 --no_profile --no_noise".split()
    sets = {"held_out": [], "teachers": ["--conditions", teachers_all]}
    sets |= {name: overrides(cond) for name, cond in edges(args.task).items()}
    found = {}
    for name, extra in sets.items():
        row = evaluate.main(["--agent", DAGGER, *base, *extra, "--checkpoints", checkpoint])[0]
        found[name] = {k: row[k] for k in METRICS if k in row and not (multi and k == "action_mae")}
    if multi:
        row = evaluate.main(["--agent", MULTI, *base, "--teacher_conditions", "--checkpoints", checkpoint])[0]
        found["own"] = {k: row[k] for k in METRICS if k in row}
    return found


def student(args, name: str, seed: int, agent: str, teacher: str, teachers_all: str) -> dict:
    """Train one student and evaluate it; its cost (env steps, updates, wall time) and metrics."""
    run = train.main(
        [
            "--task",
            args.task,
            "--agent",
            agent,
            "--num_envs",
            str(args.num_envs),
            "--seed",
            str(seed),
            "--max_iterations",
            str(args.iterations),
            "--run_name",
            f"bench_mt_{name}_s{seed}",
            "--teacher_checkpoint",
            teacher,
            *pinned(agent),
        ]
    )
    last = read_manifest(run)["checkpoints"][-1]
    cost = {
        "run": relative(run),
        "env_steps": last["total_env_steps"],
        "gradient_updates": last["gradient_updates"],
        "wall_time_s": last["training_seconds"],
    }
    return {**cost, **evaluations(args, agent, latest_checkpoint(run), teachers_all, agent == MULTI)}


def subset(manifest: str, k: int, folder: str) -> str:
    """A manifest of the first ``k`` teachers of ``manifest``."""
    path = os.path.join(folder, f"teachers_k{k}.json")
    write_teachers(path, read_json(manifest)["task"], read_teachers([manifest])[:k])
    return path


def summarize(students: dict) -> dict:
    """Per student and evaluation set: each metric's mean and spread over seeds."""
    summary = {}
    for name, seeds in students.items():
        rows = list(seeds.values())
        sets = [s for s in rows[0] if isinstance(rows[0][s], dict)]
        summary[name] = {s: {m: spread([r[s][m] for r in rows]) for m in rows[0][s]} for s in sets}
        summary[name]["cost"] = {
            k: spread([r[k] for r in rows]) for k in ("env_steps", "gradient_updates", "wall_time_s")
        }
    return summary


def plot(path: str, task: str, ks: list[int], summary: dict, specialists: dict) -> None:
    """Success rate and return against K on each evaluation set; the single-teacher student and specialists as lines."""
    sets = ("held_out", "teachers", "edge_low", "edge_high")
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for axis, metric in zip(ax, ("success_rate", "mean_return"), strict=True):
        for color, s in zip(("C0", "C1", "C2", "C3"), sets, strict=True):
            points = [(k, summary[f"k{k}"][s][metric]) for k in ks if f"k{k}" in summary]
            axis.errorbar(
                [k for k, _ in points],
                [p["mean"] for _, p in points],
                [p["std"] for _, p in points],
                marker="o",
                color=color,
                label=f"K teachers, {s}",
                capsize=3,
            )
            if "single" in summary:
                axis.axhline(summary["single"][s][metric]["mean"], color=color, ls=":", lw=1)
        axis.axhline(specialists[metric]["mean"], color="k", ls="--", label="specialists, own vehicle")
        axis.set(
            xticks=ks, xticklabels=[str(k) for k in ks], xlabel="K (dotted: single teacher)", ylabel=metric, title=task
        )
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--teachers", required=True, help="The specialists' teachers manifest (train_teachers.py).")
    parser.add_argument("--ks", type=int, nargs="+", default=[2, 4, 8], help="Numbers of teachers to distill from.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_envs", type=int, default=256)
    parser.add_argument("--name", default=None, help="Result file name (default multi_teacher_<task>).")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    name = args.name or f"multi_teacher_{args.task}"
    folder = os.path.join(ROOT, "logs", "bench", name)
    os.makedirs(folder, exist_ok=True)
    manifest = os.path.abspath(args.teachers)
    specs = read_json(manifest)["teachers"]
    if max(args.ks) > len(specs):
        parser.error(f"--ks {max(args.ks)} but {manifest} holds {len(specs)} teachers")
    teachers_all = subset(manifest, max(args.ks), folder)
    setting = {
        "task": args.task,
        "teachers": relative(manifest),
        "ks": args.ks,
        "iterations": args.iterations,
        "num_envs": args.num_envs,
        "eval_envs": args.eval_envs,
    }
    path = os.path.join(RESULTS, f"{name}.json")
    old = read_json(path) if os.path.exists(path) else {}
    students = old.get("students", {}) if old.get("setting") == setting else {}
    used = [{k: s[k] for k in ("name", "conditions", "evaluation_on_own_conditions")} for s in specs[: max(args.ks)]]
    specialists = {m: spread([s["evaluation_on_own_conditions"][m] for s in used]) for m in METRICS[:3]}
    plan = [("single", DAGGER, pretrained_teacher(args.task))]
    plan += [(f"k{k}", MULTI, subset(manifest, k, folder)) for k in args.ks]
    for seed in args.seeds:
        for label, agent, teacher in plan:
            if str(seed) in students.get(label, {}):
                continue
            students.setdefault(label, {})[str(seed)] = student(args, label, seed, agent, teacher, teachers_all)
            data = {
                "setting": setting,
                "specialists": used,
                "specialists_on_own_vehicle": specialists,
                "students": students,
                "summary": summarize(students),
            }
            write_result(name, __file__, argv, data)
            plot(os.path.join(RESULTS, f"{name}.png"), args.task, args.ks, data["summary"], specialists)


if __name__ == "__main__":
    main()
