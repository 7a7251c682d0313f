"""Record a teacher's rollouts for offline BC: :mod:`distill_lab.cli.collect` (``--help`` lists the flags)."""

from distill_lab.cli.collect import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
