"""What every benchmark shares: training and evaluating a stage, summaries over seeds, and result files in
``bench/results/``, each naming the command that regenerates it.

Benchmarks run from the repository root (runs go to ``./logs``) and call distill_lab's commands as functions; they
read what those return and the files they write (a run's ``manifest.json``, evaluation JSON), never their output.
Paths in result files are relative to the repository root.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
import time
from collections.abc import Sequence

from distill_lab.cli import evaluate, train
from distill_lab.distillation import DAggerAlgorithmCfg
from distill_lab.io import read_json, read_manifest, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The repository root; benchmarks run from it."""
RESULTS = os.path.join(ROOT, "bench", "results")
"""Where result files go."""
DAGGER = "rsl_rl_dagger_cfg_entry_point"
DAGGER_BASE = [
    f"agent.algorithm.{key}={getattr(DAggerAlgorithmCfg(), key)}"
    for key in ("buffer_capacity", "num_learning_epochs", "num_mini_batches", "learning_rate_schedule")
]
"""Overrides that give ``rsl_rl_dagger_cfg_entry_point`` the base DAgger settings (the defaults of
:class:`~distill_lab.distillation.DAggerAlgorithmCfg`: 8 updates per iteration, a fixed learning rate) instead of its
own (the best measured): the settings the other DAgger-based entry points keep, so comparisons with them and results
measured with them stay reproducible."""


def pinned(agent: str, *changes: str) -> list[str]:
    """The overrides that pin ``agent`` to the settings the benchmarks measured (:data:`DAGGER_BASE` for DAgger,
    nothing for the others), with ``changes`` (``key=value`` overrides) in place of their values for the same keys."""
    merged = dict(o.split("=", 1) for o in [*(DAGGER_BASE if agent == DAGGER else []), *changes])
    return [f"{key}={value}" for key, value in merged.items()]


def dagger_base(*changes: str) -> list[str]:
    """:data:`DAGGER_BASE` with ``changes`` in place of its values for the same keys."""
    return pinned(DAGGER, *changes)


def add_missing(runs: dict, theirs: dict) -> None:
    """Add to ``runs`` (``{kind: {size: {seed: row}}}``) the rows of ``theirs`` that it lacks: what another process
    measuring other seeds or sizes wrote to the same result file."""
    for kind, sizes in theirs.items():
        for size, seeds in sizes.items():
            mine = runs.setdefault(kind, {}).setdefault(size, {})
            mine.update({seed: row for seed, row in seeds.items() if seed not in mine})


def same_setting(data: dict, setting: dict, partial: str = "teachers") -> bool:
    """Whether the result ``data`` was measured with ``setting``: every entry equal, except the ``partial`` mapping
    (say, each method's teacher), which need only agree on the keys both name (processes may measure other methods)."""
    found = data.get("setting", {})
    rest = lambda s: {k: v for k, v in s.items() if k != partial}  # noqa: E731
    theirs = found.get(partial, {})
    return rest(found) == rest(setting) and all(theirs.get(k, v) == v for k, v in setting.get(partial, {}).items())


def saved(path: str, setting: dict) -> dict:
    """The result file ``path`` when it was measured with ``setting`` (:func:`same_setting`), else ``{}``. Read again
    before writing, it holds what other processes sharing the file have added since."""
    data = read_json(path) if os.path.exists(path) else {}
    return data if same_setting(data, setting) else {}


def seeds_held(runs: dict) -> list[str]:
    """The seeds ``runs`` (``{kind: {size: {seed: row}}}``) holds, in order."""
    return [str(s) for s in sorted({int(k) for kind in runs.values() for size in kind.values() for k in size})]


def rerun_flags(args, runs: dict, overrides: list[str], *flags: str) -> list[str]:
    """The command line that measures every seed ``runs`` holds again: ``--task``, the script's own ``flags``, then
    the seeds, budget, evaluation size, ``--name`` and the ``agent.*`` overrides of ``args``."""
    return [
        "--task",
        args.task,
        *flags,
        "--seeds",
        *seeds_held(runs),
        "--iterations",
        str(args.iterations),
        "--num_envs",
        str(args.num_envs),
        "--eval_envs",
        str(args.eval_envs),
        *(["--name", args.name] if args.name else []),
        *overrides,
    ]


def agent_overrides(parser, overrides: list[str]) -> list[str]:
    """``overrides`` (what follows the flags) when all are ``agent.*`` Hydra overrides; a parser error otherwise."""
    if any(not o.startswith("agent.") or "=" not in o for o in overrides):
        parser.error(f"unknown arguments {overrides}: only agent.* Hydra overrides may follow the flags")
    return overrides


def relative(path: str) -> str:
    """``path`` relative to the repository root (result files hold no absolute paths)."""
    return os.path.relpath(os.path.abspath(path), ROOT)


def command(script: str, argv: Sequence[str]) -> str:
    """The shell command that runs ``bench/<script>`` with ``argv`` from the repository root."""
    return shlex.join(["python", f"bench/{os.path.basename(script)}", *argv])


def machine() -> str:
    """The machine a number was measured on."""
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    return f"{platform.machine()}, {os.cpu_count()} cores, OMP_NUM_THREADS={threads}, Python {sys.version.split()[0]}"


def write_result(name: str, script: str, argv: Sequence[str], data: dict, folder: str = RESULTS) -> str:
    """Write ``<folder>/<name>.json`` (default ``bench/results/``) with the command that regenerates it; return it."""
    header = {
        "benchmark": name,
        "command": command(script, argv),
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d %H:%M"),
    }
    body = {k: v for k, v in data.items() if k not in header}  # an old file's header is replaced
    path = write_json(os.path.join(folder, f"{name}.json"), {**header, **body})
    print(f"wrote {relative(path)}")
    return path


def steps(args) -> list[str]:
    """The evaluation length flag (default: one episode)."""
    return ["--num_steps", str(args.eval_steps)] if args.eval_steps else []


def stage(args, name: str, seed: int, agent: str, overrides: list[str], iterations: int, start: list[str]) -> list:
    """Train one stage and evaluate its checkpoints; the curve points (env steps, updates, wall time, metrics)."""
    run_name = re.sub(r"[^\w.-]+", "_", f"bench_{name}_s{seed}")
    run_dir = train.main(
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
            str(iterations),
            "--run_name",
            run_name,
            f"agent.save_interval={args.eval_every}",
            *start,
            *overrides,
            *args.env_overrides,
        ]
    )
    saved = read_manifest(run_dir)["checkpoints"]
    rows = evaluate.main(
        [
            "--task",
            args.task,
            "--agent",
            agent,
            "--num_envs",
            str(args.eval_envs),
            "--seed",
            str(args.eval_seed),
            "--no_profile",
            *steps(args),
            *args.env_overrides,
            "--checkpoints",
            *(os.path.join(run_dir, c["checkpoint"]) for c in saved),
        ]
    )
    points = []
    for entry, row in zip(saved, rows, strict=True):
        metrics = {k: v for k, v in row.items() if k not in ("checkpoint", "trajectory", "seed", "num_envs")}
        points.append(
            {
                "run": relative(run_dir),
                "iteration": entry["iteration"] + 1,
                "env_steps": entry["total_env_steps"],
                "gradient_updates": entry["gradient_updates"],
                "wall_time_s": entry["training_seconds"],
                **metrics,
            }
        )
    return points


def evaluate_teacher(args, agent: str, teacher: str) -> dict:
    """The teacher's metrics on the students' evaluation (same envs, seed, initial states and length)."""
    row = evaluate.main(
        [
            "--task",
            args.task,
            "--agent",
            agent,
            "--checkpoints",
            teacher,
            "--num_envs",
            str(args.eval_envs),
            "--seed",
            str(args.eval_seed),
            "--no_profile",
            *steps(args),
            *args.env_overrides,
        ]
    )[0]
    return {k: v for k, v in row.items() if k not in ("checkpoint", "trajectory")}


def size_overrides(size: str) -> list[str]:
    """Hydra overrides that make the student the GRU ``H:W1,W2``."""
    units, widths = size.split(":")
    return [f"agent.student.rnn_hidden_dim={int(units)}", f"agent.student.hidden_dims=[{widths}]"]


def final(
    args,
    name: str,
    seed: int,
    size: str,
    iterations: int,
    teacher: str,
    teacher_return: float,
    agent: str = DAGGER,
    overrides: tuple[str, ...] = (),
) -> dict:
    """Distill ``size`` from ``teacher`` with ``agent`` (DAgger, with its base settings changed by ``overrides``); the
    final student's cost, metrics and profile."""
    shape = [*size_overrides(size), *pinned(agent, *overrides)]
    curve = stage(
        args,
        f"{name}_{size.replace(':', 'x').replace(',', '_')}",
        seed,
        agent,
        shape,
        iterations,
        ["--teacher_checkpoint", teacher],
    )
    last = curve[-1]
    checkpoint = os.path.join(ROOT, last["run"], f"model_{last['iteration'] - 1}.pt")
    row = evaluate.main(
        [
            "--task",
            args.task,
            "--agent",
            agent,
            "--num_envs",
            "16",
            "--num_steps",
            "50",
            *shape,
            "--checkpoints",
            checkpoint,
        ]
    )[0]
    return {
        **last,
        "checkpoint": relative(checkpoint),
        "return_ratio": last["mean_return"] / teacher_return,
        "profile": row["profile"],
    }


def spread(values: list[float]) -> dict | None:
    """Mean, (population) std and count of ``values``; NaN in, NaN out."""
    if not values:
        return None
    mean = sum(values) / len(values)
    return {"mean": mean, "std": (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5, "n": len(values)}


def curve_summary(runs: dict[str, list[dict]]) -> dict:
    """Per method: the curve's mean and spread over seeds, and what it took to reach 90 % and 95 % of the teacher."""
    curves = list(runs.values())
    summary = {"curve": []}
    for points in zip(*curves, strict=False):
        summary["curve"].append(
            {
                key: spread([p[key] for p in points])
                for key in ("env_steps", "gradient_updates", "wall_time_s", "return_ratio", "success_rate")
                if all(key in p for p in points)
            }
        )
    for target in (0.90, 0.95):
        hits = [next((p for p in c if p["return_ratio"] >= target), None) for c in curves]
        reached = [h for h in hits if h is not None]
        summary[f"to_{round(100 * target)}pct"] = {
            "seeds_reached": len(reached),
            "of": len(curves),
            **{key: spread([h[key] for h in reached]) for key in ("env_steps", "gradient_updates", "wall_time_s")},
        }
    summary["final"] = summary["curve"][-1]
    return summary
