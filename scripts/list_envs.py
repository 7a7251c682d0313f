"""List the tasks distill_lab registers and the config entry points each offers."""

import gymnasium as gym
from prettytable import PrettyTable

import distill_lab  # noqa: F401


def main() -> None:
    table = PrettyTable(["Task", "Entry points"], align="l", title="distill_lab tasks")
    for task_id, spec in sorted(gym.registry.items()):
        if str(spec.kwargs.get("env_cfg_entry_point", "")).startswith("distill_lab."):
            keys = sorted(k for k in spec.kwargs if k.endswith("_cfg_entry_point"))
            table.add_row([task_id, "\n".join(keys)], divider=True)
    print(table)


if __name__ == "__main__":
    main()
