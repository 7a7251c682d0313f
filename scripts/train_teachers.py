"""Train K specialist teachers and write their teachers manifest: :mod:`distill_lab.cli.teachers` (see --help)."""

from distill_lab.cli.teachers import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
