"""Teachers manifests: the teachers of a multi-teacher student, each a checkpoint with the conditions it was trained on.

A manifest is JSON, ``{"task": ..., "teachers": [{"name", "checkpoint", "conditions", "weight"}, ...]}``, with each
checkpoint relative to the manifest's folder; ``conditions`` maps an event term to the parameters the teacher was
trained with (``{"dynamics": {"mass_scale": 0.93, ...}}``; see :func:`distill_lab.tasks.mdp.assign_teachers`).
"""

from __future__ import annotations

import os

from .errors import DistillLabError
from .files import read_json, write_json


def teacher_spec(checkpoint: str, name: str | None = None, conditions: dict | None = None, weight: float = 1.0) -> dict:
    """One teacher: its checkpoint (absolute), a name, the conditions it was trained on and its assignment weight."""
    name = name or os.path.splitext(os.path.basename(checkpoint))[0]
    return {"name": name, "checkpoint": os.path.abspath(checkpoint), "conditions": conditions or {}, "weight": weight}


def read_teachers(paths: list[str]) -> list[dict]:
    """The teachers that ``paths`` name: checkpoints, or teachers manifests (``.json``) whose entries are expanded.
    A missing file, or a manifest entry without a checkpoint, is a clear error naming it."""
    specs = []
    for path in paths:
        if not path.endswith(".json"):
            if not os.path.isfile(path):
                raise DistillLabError(f"teacher checkpoint {path} does not exist.")
            specs.append(teacher_spec(path))
            continue
        if not os.path.isfile(path):
            raise DistillLabError(f"teachers manifest {path} does not exist.")
        entries = read_json(path).get("teachers")
        if not entries:
            raise DistillLabError(f"teachers manifest {path} lists no teachers: expected a 'teachers' list.")
        for i, entry in enumerate(entries):
            if "checkpoint" not in entry:
                raise DistillLabError(f"teachers manifest {path}: teacher {i} has no 'checkpoint'.")
            checkpoint = os.path.join(os.path.dirname(os.path.abspath(path)), entry["checkpoint"])
            if not os.path.isfile(checkpoint):
                raise DistillLabError(
                    f"teachers manifest {path}: teacher {i} ({entry.get('name', '?')}) checkpoint {checkpoint} does "
                    "not exist."
                )
            specs.append(teacher_spec(checkpoint, entry.get("name"), entry.get("conditions"), entry.get("weight", 1.0)))
    return specs


def write_teachers(path: str, task: str, specs: list[dict], **extra) -> None:
    """Write a teachers manifest (checkpoints relative to its folder), atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    entries = [{**s, "checkpoint": os.path.relpath(s["checkpoint"], folder)} for s in specs]
    write_json(path, {"task": task, **extra, "teachers": entries})
