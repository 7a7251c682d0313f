"""Utilities: the ``hydra_task_config`` decorator, runner selection, checkpoints, export and user-facing errors."""

from .checkpoints import check_state_dict, find_checkpoint, load_checkpoint, teacher_state_dict  # noqa: F401
from .errors import DistillLabError, run_cli, simulation  # noqa: F401
from .hydra import hydra_task_config, resolve_configs, task_entry_points  # noqa: F401
from .runners import RUNNERS, check_student_observations, is_distillation, make_runner  # noqa: F401
