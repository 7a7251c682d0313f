"""List the tasks and their entry points: :mod:`distill_lab.cli.list_envs` (``--help`` lists the flags)."""

from distill_lab.cli.list_envs import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
