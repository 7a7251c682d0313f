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
    for key in (
        "buffer_capacity",
        "num_learning_epochs",
        "num_mini_batches",
        "learning_rate_schedule",
        "teacher_forcing_iterations",
        "beta_decay_iterations",
        "asynchronous",
    )
]
"""Overrides that give ``rsl_rl_dagger_cfg_entry_point`` the base DAgger settings (the defaults of
:class:`~distill_lab.distillation.DAggerAlgorithmCfg`: 8 updates per iteration, a fixed learning rate, 10 forced
iterations and a beta decay over 20, synchronous)
instead of its own (the best measured): the settings the other DAgger-based entry points keep, so comparisons with them
and results measured with them stay reproducible."""


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
        *(["--eval_steps", str(args.eval_steps)] if getattr(args, "eval_steps", None) else []),
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


def evaluation(args) -> list[str]:
    """The flags of every benchmark evaluation: the task, ``--eval_envs`` envs, ``--eval_seed``, one episode (or
    ``--eval_steps``), noise-free as the stored results were measured, no profile; then the env overrides."""
    flags = f"--task {args.task} --num_envs {args.eval_envs} --seed {args.eval_seed} --no_profile --no_noise".split()
    return [*flags, *(["--num_steps", str(args.eval_steps)] if args.eval_steps else []), *args.env_overrides]


def stage(args, name: str, seed: int, agent: str, overrides: list[str], iterations: int, start: list[str]) -> list:
    """Train one stage and evaluate its checkpoints; the curve points (env steps, updates, wall time, metrics), each
    with ``time_s``: cumulative seconds of where the time went up to that checkpoint (the manifest's breakdown, see
    :mod:`distill_lab.runners.checkpointing`, and ``evaluation``: the evaluate command's wall time for all checkpoints,
    env creation included, shared equally among them)."""
    run_name = re.sub(r"[^\w.-]+", "_", f"bench_{name}_s{seed}")
    flags = f"--task {args.task} --agent {agent} --num_envs {args.num_envs} --seed {seed} --max_iterations {iterations}"
    run_dir = train.main(
        [*flags.split(), "--run_name", run_name, f"agent.save_interval={args.eval_every}", *start, *overrides,
         *args.env_overrides]
    )  # fmt: skip
    saved = read_manifest(run_dir)["checkpoints"]
    checkpoints = [os.path.join(run_dir, c["checkpoint"]) for c in saved]
    started = time.perf_counter()
    rows = evaluate.main([*evaluation(args), "--agent", agent, "--checkpoints", *checkpoints])
    evaluation_s = (time.perf_counter() - started) / len(rows)
    skip = ("checkpoint", "trajectory", "seed", "num_envs", "observation_noise")
    return [
        {"run": relative(run_dir), "iteration": entry["iteration"] + 1, "env_steps": entry["total_env_steps"],
         "gradient_updates": entry["gradient_updates"], "wall_time_s": entry["training_seconds"],
         "time_s": {**entry.get("time_s", {}), "evaluation": round(evaluation_s * (i + 1), 3)},
         **{k: v for k, v in row.items() if k not in skip}}
        for i, (entry, row) in enumerate(zip(saved, rows, strict=True))
    ]  # fmt: skip


def evaluate_teacher(args, agent: str, teacher: str) -> dict:
    """The teacher's metrics on the students' evaluation (same envs, seed, initial states and length)."""
    row = evaluate.main([*evaluation(args), "--agent", agent, "--checkpoints", teacher])[0]
    return {k: v for k, v in row.items() if k not in ("checkpoint", "trajectory", "observation_noise")}


def size_overrides(size: str) -> list[str]:
    """Hydra overrides that make the student the GRU ``H:W1,W2``."""
    units, widths = size.split(":")
    return [f"agent.student.rnn_hidden_dim={int(units)}", f"agent.student.hidden_dims=[{widths}]"]


def final(args, name: str, seed: int, size: str, iterations: int, teacher: str, teacher_return: float,
          agent: str = DAGGER, overrides: tuple[str, ...] = ()) -> dict:  # fmt: skip
    """Distill ``size`` from ``teacher`` with ``agent`` (DAgger, with its base settings changed by ``overrides``); the
    final student's cost, metrics and profile."""
    shape = [*size_overrides(size), *pinned(agent, *overrides)]
    label = f"{name}_{size.replace(':', 'x').replace(',', '_')}"
    last = stage(args, label, seed, agent, shape, iterations, ["--teacher_checkpoint", teacher])[-1]
    checkpoint = os.path.join(ROOT, last["run"], f"model_{last['iteration'] - 1}.pt")
    flags = f"--task {args.task} --agent {agent} --num_envs 16 --num_steps 50 --no_noise".split()
    row = evaluate.main([*flags, *shape, "--checkpoints", checkpoint])[0]
    ratio = last["mean_return"] / teacher_return
    return {**last, "checkpoint": relative(checkpoint), "return_ratio": ratio, "profile": row["profile"]}


def spread(values: list[float]) -> dict | None:
    """Mean, (population) std and count of ``values``; NaN in, NaN out."""
    if not values:
        return None
    mean = sum(values) / len(values)
    return {"mean": mean, "std": (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5, "n": len(values)}


CURVE_KEYS = ("env_steps", "gradient_updates", "wall_time_s", "return_ratio", "success_rate", "error_vel_xy")
"""What a curve point holds that the summary averages over seeds (the xy error only for locomotion)."""


def curve_summary(runs: dict[str, list[dict]]) -> dict:
    """Per method: the curve's mean and spread over seeds, and what it took to reach 90 % and 95 % of the teacher."""
    curves = list(runs.values())
    summary = {"curve": []}
    for points in zip(*curves, strict=False):
        summary["curve"].append(
            {key: spread([p[key] for p in points]) for key in CURVE_KEYS if all(key in p for p in points)}
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
    last = [c[-1].get("time_s", {}) for c in curves]
    summary["time_s"] = {p: spread([t[p] for t in last]) for p in last[0] if all(p in t for t in last)}
    return summary


TIME_GROUPS = {
    "collection": ("env_step", "student_act", "teacher_label", "process_step", "learner_refresh"),
    "learning": ("update_forward", "update_backward", "optimizer_step", "buffer_add", "buffer_sample", "normalizer",
                 "learner_wait"),
}  # fmt: skip
"""The phases measured inside collection and inside learning (the rest of each is the runner's own bookkeeping)."""


def time_table(methods: dict) -> str:
    """Where each method's training time went (seed mean at its last checkpoint): collection and learning with the
    phases inside them, checkpointing and evaluation, in seconds and as a share of the training time."""
    lines = []
    for name, m in methods.items():
        t = {p: s["mean"] for p, s in m["summary"].get("time_s", {}).items()}
        total = t.get("collection", 0.0) + t.get("learning", 0.0)
        if not total:
            continue
        parts = [f"{name}: {total:.1f} s training"]
        for group, phases in TIME_GROUPS.items():
            inside = ", ".join(f"{p} {t[p]:.3g}" for p in phases if p in t)
            parts.append(f"{group} {t[group]:.1f} ({100 * t[group] / total:.0f} %{': ' + inside if inside else ''})")
        if "learner_busy" in t:  # an asynchronous learner works in its own thread, overlapping collection
            parts.append(f"learner thread busy {t['learner_busy']:.1f}")
        parts += [f"{p} {t[p]:.1f}" for p in ("checkpointing", "evaluation") if p in t]
        lines.append("; ".join(parts))
    return "\n".join(lines)
