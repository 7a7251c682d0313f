"""Evaluate checkpoints on identical initial states: :mod:`distill_lab.cli.evaluate` (``--help`` lists the flags)."""

from distill_lab.cli.evaluate import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
