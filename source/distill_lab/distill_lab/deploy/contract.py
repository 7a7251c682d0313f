"""The exported policy's contract, read from ``policy.onnx`` alone: the metadata that
``distill_lab.evaluation.metadata.policy_metadata`` wrote (observation terms, actions, robot, physics, commands,
rewards, terminations), checked for what a second simulator needs before anything runs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from distill_lab.io import DistillLabError

REQUIRED = (
    "metadata_version",
    "observations",
    "obs_dim",
    "actions",
    "control_rate_hz",
    "physics.dt",
    "physics.decimation",
    "robot.name",
    "robot.kind",
    "robot.body_names",
    "commands",
    "terminations",
    "recurrent",
)
"""Keys (dotted paths) every contract must have; a missing one is a one-line error naming it."""

REQUIRED_PER_TERM = ("group", "term", "dim", "func", "params", "clip", "scale")
"""Keys every observation term of the contract must have."""

REQUIRED_JOINTS = ("names", "default_pos", "default_vel", "pos_limits", "stiffness", "damping", "armature",
                   "effort_limit")  # fmt: skip
"""Keys of ``robot.joints`` an articulation's contract must have."""


@dataclass
class Contract:
    """The metadata of one exported policy, checked (see :func:`read_contract`)."""

    path: str
    """The ONNX file it was read from."""
    meta: dict = field(default_factory=dict)
    """The metadata, one JSON value per key."""

    def __getitem__(self, key: str):
        return self.meta[key]

    def get(self, key: str, default=None):
        """``meta[key]`` or ``default``."""
        return self.meta.get(key, default)

    @property
    def control_dt(self) -> float:
        """The policy's control period [s]."""
        return 1.0 / float(self.meta["control_rate_hz"])

    @property
    def joints(self) -> dict | None:
        """The articulation's joints (``names``, ``default_pos``, gains, limits, ... in the articulation's order), or
        None for a single rigid body."""
        return self.meta["robot"].get("joints")

    def command(self, name: str) -> dict:
        """The command term called ``name``."""
        for command in self.meta["commands"]:
            if command["name"] == name:
                return command
        known = ", ".join(c["name"] for c in self.meta["commands"]) or "none"
        raise DistillLabError(
            f"{self.where}: an observation reads command '{name}', the metadata's commands are {known}"
        )

    def action_model(self, term_class: str) -> dict | None:
        """The ``model`` dict of the action term of class ``term_class`` (what the term states about itself)."""
        return next((a.get("model") for a in self.meta["actions"] if a.get("class") == term_class), None)

    @property
    def where(self) -> str:
        """How errors name the file."""
        return os.path.basename(self.path)


def _lookup(meta: dict, dotted: str):
    """``meta["a"]["b"]`` for ``"a.b"``; raise KeyError for a missing step."""
    value = meta
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def read_metadata(path: str) -> dict:
    """The metadata of an ONNX file (one JSON value per key), read with onnxruntime; one-line errors for a missing
    or unreadable file."""
    import onnxruntime as ort

    if not os.path.isfile(path):
        raise DistillLabError(
            f"expected an exported policy file (policy.onnx), found "
            f"{'a folder' if os.path.exists(path) else 'nothing'} at {path}"
        )
    try:
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own exception types with multi-line messages
        first = " ".join(str(err).split())[:200]
        raise DistillLabError(
            f"expected an ONNX policy at {path}, found a file onnxruntime cannot load: {first}"
        ) from None
    raw = session.get_modelmeta().custom_metadata_map
    meta = {}
    for key, value in raw.items():
        try:
            meta[key] = json.loads(value)
        except ValueError:
            meta[key] = value
    return meta


def check_contract(meta: dict, path: str) -> Contract:
    """Check ``meta`` for everything a second simulator needs; return it as a :class:`Contract`.

    Raises:
        DistillLabError: no metadata at all, an older version, a missing key, or inconsistent sizes (one line each,
            naming the key and what was expected).
    """
    name = os.path.basename(path)
    reexport = "re-export it with scripts/rsl_rl/export.py"
    if not meta:
        raise DistillLabError(
            f"expected {name} to carry distill_lab's deployment metadata (observation terms, actions, robot, physics), "
            f"found an ONNX file without metadata; {reexport}"
        )
    version = meta.get("metadata_version", 1)
    if not isinstance(version, int) or version < 2:
        raise DistillLabError(
            f"expected {name}'s metadata version >= 2 (functions, robot, physics), found version {version}; {reexport}"
        )
    for key in REQUIRED:
        try:
            _lookup(meta, key)
        except KeyError:
            raise DistillLabError(f"expected {name}'s metadata to have '{key}', found none; {reexport}") from None
    for i, term in enumerate(meta["observations"]):
        missing = [k for k in REQUIRED_PER_TERM if k not in term]
        if missing:
            label = term.get("term", f"#{i}")
            raise DistillLabError(
                f"expected observation term '{label}' in {name}'s metadata to have {', '.join(missing)}, found none; "
                f"{reexport}"
            )
    dims = sum(int(t["dim"]) for t in meta["observations"])
    if dims != int(meta["obs_dim"]):
        raise DistillLabError(
            f"expected {name}'s observation terms to add up to obs_dim {meta['obs_dim']}, found {dims}"
        )
    joints = meta["robot"].get("joints")
    if meta["robot"]["kind"] == "Articulation":
        if joints is None:
            raise DistillLabError(f"expected {name}'s metadata to have 'robot.joints' for an articulation, found none")
        for key in REQUIRED_JOINTS:
            if key not in joints:
                raise DistillLabError(
                    f"expected {name}'s metadata to have 'robot.joints.{key}', found none; {reexport}"
                )
            if key != "names" and len(joints[key]) != len(joints["names"]):
                raise DistillLabError(
                    f"expected 'robot.joints.{key}' in {name} to have one entry per joint ({len(joints['names'])}), "
                    f"found {len(joints[key])}"
                )
    return Contract(path=path, meta=meta)


def read_contract(path: str) -> Contract:
    """:func:`read_metadata` then :func:`check_contract`."""
    return check_contract(read_metadata(path), path)
