"""The bottom layer: user-facing errors, atomic files, checkpoints (find, load, kind, manifest), teachers
manifests and datasets."""

from .checkpoints import (  # noqa: F401
    CHECKPOINT_KINDS,
    LOG_ROOT,
    MANIFEST,
    check_state_dict,
    checkpoint_kind,
    experiment_root,
    find_checkpoint,
    latest_checkpoint,
    load_checkpoint,
    output_folder,
    read_manifest,
    teacher_state_dict,
)
from .errors import DistillLabError, run_cli  # noqa: F401
from .files import check_writable, load_torch_file, read_json, write_atomic, write_json  # noqa: F401
from .teachers import read_teachers, teacher_spec, write_teachers  # noqa: F401
