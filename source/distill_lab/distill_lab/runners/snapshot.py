"""Snapshot and restore the state a run keeps outside its checkpoint, so that a resumed run continues exactly.

A checkpoint holds the learner (weights, optimizer, normalizers, RNG, iteration). The episodes in flight live
elsewhere: Newton's model and states, MuJoCo-Warp's solver data (warm start, contacts), the managers' buffers
(commands, episode lengths, action history), the algorithm's memory (recurrent states, DAgger's buffer) and the last
observation. :func:`snapshot` walks those objects (instances of Isaac Lab, Newton, MuJoCo-Warp, RSL-RL and
distill_lab classes, plus the physics manager's class-level state) and records every tensor, Warp/NumPy array,
number and string it reaches; :func:`restore` checks that the saved state fits the live objects, then writes it back
in place. Configuration objects (``*Cfg``) and frozen dataclasses are skipped: the run's config decides them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
import warp as wp
from tensordict import TensorDict

PACKAGES = ("isaaclab", "isaaclab_newton", "isaaclab_rl", "newton", "mujoco_warp", "rsl_rl", "distill_lab", "torch")
"""Top-level packages whose objects are walked; anything else (USD, gymnasium, Kit) is left alone."""

SCALARS = (bool, int, float, str)


def _walkable(obj: Any) -> bool:
    cls = obj if isinstance(obj, type) else type(obj)
    frozen = dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # immutable: no state to restore
    return cls.__module__.split(".")[0] in PACKAGES and not cls.__name__.endswith("Cfg") and not frozen


def _fields(obj: Any) -> dict:
    """The attributes to walk: an instance's ``__dict__``, or a class's data attributes along its MRO."""
    if not isinstance(obj, type):
        return vars(obj) if hasattr(obj, "__dict__") else {}
    fields = {}
    for cls in reversed(obj.__mro__):
        if _walkable(cls):
            fields.update({k: v for k, v in vars(cls).items() if not k.startswith("__") and not callable(v)})
    return {k: v for k, v in fields.items() if not isinstance(v, (staticmethod, classmethod, property))}


def snapshot(obj: Any, seen: set | None = None) -> Any:
    """A ``torch.load(weights_only=True)``-safe copy of the state reachable from ``obj`` (None if it holds none)."""
    seen = set() if seen is None else seen
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, (wp.array, np.ndarray)):
        data = np.ascontiguousarray(obj.numpy() if isinstance(obj, wp.array) else obj)
        raw = torch.from_numpy(data.view(np.uint8).reshape(-1).copy())
        return {"kind": "array", "dtype": data.dtype.str, "shape": list(data.shape), "data": raw}
    if type(obj) in SCALARS or obj is None:
        return obj
    if id(obj) in seen:
        return None
    seen.add(id(obj))
    if isinstance(obj, TensorDict):
        return {"kind": "td", "batch": list(obj.batch_size), "items": {k: snapshot(v, seen) for k, v in obj.items()}}
    if isinstance(obj, (list, tuple)):
        return {"kind": type(obj).__name__, "items": [snapshot(v, seen) for v in obj]}
    if isinstance(obj, dict):
        items = {k: snapshot(v, seen) for k, v in obj.items() if isinstance(k, str)}
        return {"kind": "dict", "items": {k: v for k, v in items.items() if v is not None}}
    if _walkable(obj):
        items = {k: snapshot(v, seen) for k, v in _fields(obj).items()}
        return {
            "kind": "object",
            "type": type(obj).__name__,
            "items": {k: v for k, v in items.items() if v is not None},
        }
    return None


def restore(
    obj: Any, saved: Any, apply: bool, problems: list[str], path: str = "", seen: set | None = None, in_dict=False
) -> Any:
    """Write ``saved`` (from :func:`snapshot`) back into ``obj`` and return the value to store at ``path``.

    With ``apply=False`` nothing changes: mismatches (shapes, dtypes, classes) are only listed in ``problems``, so a
    caller can check first and then restore all or nothing. Tensors held in dicts may be replaced by ones of another
    shape (dicts hold per-step values such as logs); tensors held by objects are buffers and must match.
    """
    seen = set() if seen is None else seen
    if isinstance(saved, torch.Tensor):
        if isinstance(obj, torch.Tensor):
            if obj.shape != saved.shape or obj.dtype != saved.dtype:
                if in_dict:  # a value replaced each step, not a buffer
                    return saved
                problems.append(f"{path}: saved {tuple(saved.shape)} {saved.dtype}, now {tuple(obj.shape)} {obj.dtype}")
            elif apply:
                with torch.inference_mode():
                    obj.copy_(saved)
            return obj
        return saved
    if saved is None:  # nothing recorded here (or an object recorded under another path)
        return obj
    if not isinstance(saved, dict):  # a number
        return saved
    kind, items = saved["kind"], saved.get("items")
    if kind == "array":
        data = np.frombuffer(saved["data"].numpy().tobytes(), dtype=np.dtype(saved["dtype"])).reshape(saved["shape"])
        if obj is None:  # not allocated yet (a lazy buffer): left to be built
            return obj
        now = obj.numpy() if isinstance(obj, wp.array) else obj
        if not isinstance(now, np.ndarray) or now.shape != data.shape or now.dtype.str != data.dtype.str:
            problems.append(f"{path}: saved array {data.shape} {data.dtype}, now {getattr(now, 'shape', type(obj))}")
        elif apply:
            data = data.view(now.dtype)
            obj.assign(data) if isinstance(obj, wp.array) else np.copyto(obj, data)
        return obj
    if obj is not None and id(obj) in seen:
        return obj
    seen.add(id(obj))
    if kind in ("list", "tuple"):
        old = list(obj) if isinstance(obj, (list, tuple)) else []
        new = [
            restore(old[i] if i < len(old) else None, v, apply, problems, f"{path}/{i}", seen)
            for i, v in enumerate(items)
        ]
        if kind == "tuple":
            return tuple(new)
        if isinstance(obj, list):
            if apply:
                obj[:] = new
            return obj
        return new
    if kind == "dict":
        target = obj if isinstance(obj, dict) else {}
        for k, v in items.items():
            value = restore(target.get(k), v, apply, problems, f"{path}/{k}", seen, in_dict=True)
            if apply:
                target[k] = value
        return target
    if kind == "td":
        values = {
            k: restore(obj.get(k) if isinstance(obj, TensorDict) else None, v, apply, problems, f"{path}/{k}", seen)
            for k, v in items.items()
        }
        return obj if isinstance(obj, TensorDict) else TensorDict(values, batch_size=saved["batch"])
    # an object: restored into the live one of the same class; one not created yet (a lazy cache) is left to be built
    if obj is None:
        return obj
    if type(obj).__name__ != saved["type"]:
        problems.append(f"{path}: saved a {saved['type']}, now {type(obj).__name__}")
        return obj
    fields = _fields(obj)
    for k, v in items.items():
        old = fields.get(k)
        value = restore(old, v, apply, problems, f"{path}/{k}", seen)
        if apply and value is not old and not (type(value) is type(old) and type(old) in SCALARS and value == old):
            setattr(obj, k, value)
    return obj
