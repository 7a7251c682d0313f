"""Train a teacher, or distill or fine-tune a student: :mod:`distill_lab.cli.train` (``--help`` lists the flags)."""

from distill_lab.cli.train import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
