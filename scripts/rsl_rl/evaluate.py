"""Evaluate checkpoints on identical seeds and initial states:
a thin entry point to :mod:`distill_lab.cli.evaluate` (``--help`` lists the flags)."""

from distill_lab.cli.evaluate import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
