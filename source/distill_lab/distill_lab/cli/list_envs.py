"""List the tasks distill_lab registers and the config entry points each offers."""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
from prettytable import PrettyTable


def main(argv: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Print the table; return task -> entry point keys."""
    import distill_lab  # noqa: F401  (registers the tasks)

    tasks = {
        task: sorted(k for k in spec.kwargs if k.endswith("_cfg_entry_point"))
        for task, spec in sorted(gym.registry.items())
        if str(spec.kwargs.get("env_cfg_entry_point", "")).startswith("distill_lab.")
    }
    table = PrettyTable(["Task", "Entry points"], align="l", title="distill_lab tasks")
    for task, keys in tasks.items():
        table.add_row([task, "\n".join(keys)], divider=True)
    print(table)
    return tasks
