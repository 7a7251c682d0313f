"""``distill-lab <command> [flags]`` (or ``python -m distill_lab.cli``): run one of the commands, as Isaac Lab's
``isaaclab train|play`` does. Bad input ends with a one-line error and exit code 2."""

from __future__ import annotations

import importlib
import sys

from distill_lab.io import run_cli

COMMANDS = ("train", "play", "evaluate", "export", "collect", "pipeline", "teachers", "list_envs", "sim2sim")
"""Command names, each a module of this package with a ``main(argv)``."""


def main() -> None:
    """Dispatch ``sys.argv[1]`` to its command."""
    name = sys.argv[1].replace("-", "_") if len(sys.argv) > 1 else ""
    name = "list_envs" if name == "list" else name
    if name not in COMMANDS:
        print(f"usage: distill-lab {{{','.join(c.replace('_envs', '') for c in COMMANDS)}}} [flags] (--help)")
        sys.exit(0 if name in ("-h", "__help") else 2)
    run_cli(importlib.import_module(f"distill_lab.cli.{name}").main, sys.argv[2:])


if __name__ == "__main__":
    main()
