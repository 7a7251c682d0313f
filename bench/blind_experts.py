"""Benchmark: a blind_rl student of two experts (the shipped flat teacher and a low-friction expert) against the
single teacher's students, on the task's floor and on low friction.

    python bench/blind_experts.py [--seeds 1] [--iterations 150] [--num_envs 512] [--eval_envs 128]

Trains the low-friction expert (the condition of ``bench/blind_experts.json``: foot friction 0.2-0.4, below the task's
0.4-1.2), specialized from the shipped teacher by the teacher factory (resumable), then one multi-teacher student per
seed (``rsl_rl_multi_teacher_cfg_entry_point``, base DAgger settings): each env is assigned the flat teacher or the
expert at every reset and walks on that teacher's condition. Evaluates (seed 1, the same initial states, one episode)
both teachers, the students and the reference, the single-teacher students of ``distill_methods_blind_rl.json`` (the
tuned stock baseline, 32 epochs, same env steps), on ``default`` (the task's randomization) and on ``low_friction``
(the expert's condition for every env). Finished items are kept and skipped on a rerun with the same settings. Writes
``bench/results/blind_experts_blind_rl.json``.
"""

from __future__ import annotations

import argparse
import os
import sys

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import RESULTS, ROOT, curve_summary, relative, spread, write_result
from distill_lab.cli import evaluate, teachers, train
from distill_lab.io import latest_checkpoint, read_json, read_manifest
from distill_lab.pretrained import pretrained_teacher

TASK = "blind_rl"
MULTI = "rsl_rl_multi_teacher_cfg_entry_point"
METRICS = ("mean_return", "success_rate", "error_vel_xy", "error_vel_yaw")
EXPERT = [
    "--task",
    TASK,
    "--conditions",
    os.path.join(ROOT, "bench", "blind_experts.json"),
    "--init",
    "pretrained",
    "--max_iterations",
    "100",
    "--num_envs",
    "1024",
    "--eval_envs",
    "128",
    "--name",
    "low_friction",
]
"""The teacher factory's flags for the expert."""


def evaluations(args, agent: str, checkpoint: str, expert_manifest: str) -> dict:
    """One policy's metrics on the task's floor and on the expert's low friction."""
    base = f"--task {TASK} --agent {agent} --num_envs {args.eval_envs} --seed 1 --no_profile --no_noise".split()
    found = {}
    for name, extra in (("default", []), ("low_friction", ["--conditions", expert_manifest])):
        row = evaluate.main([*base, *extra, "--checkpoints", checkpoint])[0]
        found[name] = {k: row[k] for k in METRICS if k in row}
    return found


def curve(args, run: str, final: dict, teacher_return: float) -> list[dict]:
    """The student's saved checkpoints on the task's floor (the final one's ``final`` metrics reused), each with its
    cost and its return over the flat teacher's: the curve of ``distill_methods.py``, to find the env steps to 95 %."""
    saved = read_manifest(os.path.join(ROOT, run))["checkpoints"]
    base = f"--task {TASK} --agent rsl_rl_dagger_cfg_entry_point --num_envs {args.eval_envs} --seed 1".split()
    base += [
        "--no_profile",
        "--no_noise",
        "--checkpoints",
        *(os.path.join(ROOT, run, c["checkpoint"]) for c in saved[:-1]),
    ]
    rows = [*(evaluate.main(base) if len(saved) > 1 else []), final]
    return [
        {
            "iteration": c["iteration"] + 1,
            "env_steps": c["total_env_steps"],
            "gradient_updates": c["gradient_updates"],
            "wall_time_s": c["training_seconds"],
            **{m: r[m] for m in METRICS if m in r},
            "return_ratio": r["mean_return"] / teacher_return,
        }
        for c, r in zip(saved, rows, strict=True)
    ]


def summarize(rows: list[dict]) -> dict:
    """Each metric's mean and spread over ``rows`` on both floors (empty without rows)."""
    if not rows:
        return {}
    return {where: {m: spread([r[where][m] for r in rows]) for m in METRICS} for where in ("default", "low_friction")}


def references() -> list[tuple[str, str, str]]:
    """(label, agent, checkpoint) of the single-teacher students measured by ``distill_methods.py`` on blind_rl."""
    path = os.path.join(RESULTS, f"distill_methods_{TASK}.json")
    runs = read_json(path)["methods"].get("stock_e32", {}).get("runs", {}) if os.path.exists(path) else {}
    found = []
    for seed, curve in sorted(runs.items()):
        last = curve[-1]
        checkpoint = os.path.join(ROOT, last["run"], f"model_{last['iteration'] - 1}.pt")
        if os.path.exists(checkpoint):
            found.append((f"single_stock_e32_s{seed}", "rsl_rl_distillation_cfg_entry_point", checkpoint))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1], help="Student seeds (none: references only).")
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_envs", type=int, default=128)
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    name = f"blind_experts_{TASK}"
    expert_manifest = teachers.main(EXPERT)
    expert = read_json(expert_manifest)["teachers"][0]
    expert_flags = [relative(a) if os.path.isabs(a) else a for a in EXPERT]  # the same in every checkout
    setting = {
        "task": TASK,
        "expert": expert_flags,
        "iterations": args.iterations,
        "num_envs": args.num_envs,
        "eval_envs": args.eval_envs,
    }
    path = os.path.join(RESULTS, f"{name}.json")
    old = read_json(path) if os.path.exists(path) else {}
    data = old if old.get("setting") == setting else {"setting": setting, "policies": {}, "students": {}}
    data["expert_card"] = {k: expert[k] for k in ("conditions", "evaluation_on_own_conditions")}
    expert_checkpoint = os.path.join(os.path.dirname(expert_manifest), expert["checkpoint"])
    plan = [
        ("teacher_flat", "rsl_rl_cfg_entry_point", pretrained_teacher(TASK)),
        ("teacher_low_friction", "rsl_rl_cfg_entry_point", expert_checkpoint),
        *references(),
    ]

    def save() -> None:
        singles = [p for k, p in data["policies"].items() if k.startswith("single_")]
        data["summary"] = summarize(list(data["students"].values()))
        curves = {seed: s["curve"] for seed, s in data["students"].items() if "curve" in s}
        data["curve_summary"] = curve_summary(curves) if curves else {}
        data["single_summary"] = summarize(singles)
        seeds = sorted(data["students"], key=int)
        write_result(
            name,
            __file__,
            [
                "--seeds",
                *seeds,
                "--iterations",
                str(args.iterations),
                "--num_envs",
                str(args.num_envs),
                "--eval_envs",
                str(args.eval_envs),
            ],
            data,
        )

    for label, agent, checkpoint in plan:
        if label not in data["policies"]:
            data["policies"][label] = {
                "checkpoint": relative(checkpoint),
                **evaluations(args, agent, checkpoint, expert_manifest),
            }
            save()
    for seed in args.seeds:
        if str(seed) in data["students"]:
            continue
        run = train.main(
            [
                "--task",
                TASK,
                "--agent",
                MULTI,
                "--num_envs",
                str(args.num_envs),
                "--seed",
                str(seed),
                "--max_iterations",
                str(args.iterations),
                "--run_name",
                f"bench_blind_experts_s{seed}",
                "--teacher_checkpoint",
                pretrained_teacher(TASK),
                expert_manifest,
            ]
        )
        last = read_manifest(run)["checkpoints"][-1]
        data["students"][str(seed)] = {
            "run": relative(run),
            "env_steps": last["total_env_steps"],
            "gradient_updates": last["gradient_updates"],
            "wall_time_s": last["training_seconds"],
            **evaluations(args, "rsl_rl_dagger_cfg_entry_point", latest_checkpoint(run), expert_manifest),
        }
        save()
    teacher_return = data["policies"]["teacher_flat"]["default"]["mean_return"]
    for student in data["students"].values():
        if "curve" not in student:
            student["curve"] = curve(args, student["run"], student["default"], teacher_return)
            save()


if __name__ == "__main__":
    main()
