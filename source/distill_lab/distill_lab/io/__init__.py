"""The bottom layer: user-facing errors, atomic files, checkpoints (find, load, kind, manifest), teachers
manifests and datasets.

The checkpoint helpers (which need torch) load on first use, so that ``distill_lab.deploy`` imports this layer
without torch."""

import importlib

from .errors import DistillLabError, run_cli  # noqa: F401
from .files import check_writable, load_torch_file, read_json, write_atomic, write_json  # noqa: F401
from .teachers import read_teachers, teacher_spec, write_teachers  # noqa: F401

_CHECKPOINTS = (
    "CHECKPOINT_KINDS",
    "LOG_ROOT",
    "MANIFEST",
    "check_state_dict",
    "checkpoint_kind",
    "experiment_root",
    "find_checkpoint",
    "latest_checkpoint",
    "load_checkpoint",
    "output_folder",
    "read_manifest",
    "teacher_state_dict",
)
"""Names of :mod:`.checkpoints` this package exports (loaded with torch on first access)."""


def __getattr__(name: str):
    if name in _CHECKPOINTS:
        return getattr(importlib.import_module(".checkpoints", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DistillLabError", "run_cli", "check_writable", "load_torch_file", "read_json", "write_atomic",
           "write_json", "read_teachers", "teacher_spec", "write_teachers", *_CHECKPOINTS]  # fmt: skip
