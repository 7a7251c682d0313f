"""List the tasks distill_lab registers and their entry points:
a thin entry point to :mod:`distill_lab.cli.list_envs`."""

from distill_lab.cli.list_envs import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
