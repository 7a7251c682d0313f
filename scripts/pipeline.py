"""Teacher -> student -> evaluation -> export -> report: :mod:`distill_lab.cli.pipeline` (see --help)."""

from distill_lab.cli.pipeline import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
