"""distill_lab: teacher-student policy distillation for Isaac Lab; importing it registers the tasks."""

__version__ = "0.1.0"

from . import tasks  # noqa: F401, E402
