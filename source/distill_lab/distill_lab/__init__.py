"""distill_lab: teacher-student policy distillation for Isaac Lab; importing it registers the tasks.

With ``DISTILL_LAB_TASKS=0`` in the environment the tasks are not registered, so nothing of Isaac Lab (or torch) is
imported: what the deployment tools (``distill_lab.deploy``, ``scripts/deploy/sim2sim.py``) set before importing.
"""

import os

__version__ = "0.1.0"

if os.environ.get("DISTILL_LAB_TASKS", "1") != "0":
    from . import tasks  # noqa: F401
