"""Play, export, record or serve a policy: :mod:`distill_lab.cli.play` (``--help`` lists the flags)."""

from distill_lab.cli.play import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
