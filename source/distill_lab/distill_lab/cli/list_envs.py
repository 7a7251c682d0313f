"""List the tasks distill_lab registers and the config entry points each offers."""

from __future__ import annotations

from collections.abc import Sequence

from prettytable import PrettyTable

from .configs import distill_lab_tasks


def main(argv: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Print the table; return task -> entry point keys."""
    tasks = distill_lab_tasks()
    table = PrettyTable(["Task", "Entry points"], align="l", title="distill_lab tasks")
    for task, keys in tasks.items():
        table.add_row([task, "\n".join(keys)], divider=True)
    print(table)
    return tasks
