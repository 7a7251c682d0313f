"""Teacher -> student -> evaluation -> export -> report in one command: a thin entry point to
:mod:`distill_lab.cli.pipeline` (``--help`` lists the flags)."""

from distill_lab.cli.pipeline import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
