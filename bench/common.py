"""What every benchmark shares: results go to ``bench/results/`` and each file names the command that regenerates it.

Benchmarks run from the repository root (runs go to ``./logs``) and call distill_lab's commands as functions; they
read what those return and the files they write (a run's ``manifest.json``, evaluation JSON), never their output.
Paths in result files are relative to the repository root.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence

from distill_lab.io import read_json, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The repository root; benchmarks run from it."""
RESULTS = os.path.join(ROOT, "bench", "results")
"""Where result files go."""
DAGGER = "rsl_rl_dagger_cfg_entry_point"
DAGGER_BASE = ["agent.algorithm.buffer_capacity=4", "agent.algorithm.num_learning_epochs=2",
               "agent.algorithm.num_mini_batches=4", "agent.algorithm.learning_rate_schedule=fixed"]  # fmt: skip
"""Overrides that give ``rsl_rl_dagger_cfg_entry_point`` the base DAgger settings (8 updates per iteration, a fixed
learning rate) instead of its defaults (the best measured): the settings the other DAgger-based entry points keep, so
comparisons with them and results measured with them stay reproducible."""


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
    return ["--task", args.task, *flags, "--seeds", *seeds_held(runs), "--iterations", str(args.iterations),
            "--num_envs", str(args.num_envs), "--eval_envs", str(args.eval_envs),
            *(["--name", args.name] if args.name else []), *overrides]  # fmt: skip


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
    header = {"benchmark": name, "command": command(script, argv), "machine": machine(),
              "measured": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    body = {k: v for k, v in data.items() if k not in header}  # an old file's header is replaced
    path = write_json(os.path.join(folder, f"{name}.json"), {**header, **body})
    print(f"wrote {relative(path)}")
    return path
