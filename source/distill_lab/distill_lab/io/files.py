"""Files that lose nothing: atomic writes, safe ``torch.load``, JSON, and a writability probe for run folders."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from .errors import DistillLabError


def write_atomic(path: str, write: Callable[[str], object]) -> str:
    """``write(tmp_path)``, then rename onto ``path``; on failure remove the partial file and raise a clear error.

    A crash or a kill mid-write leaves the previous ``path`` intact. Returns ``path``.
    """
    tmp = f"{path}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as err:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise DistillLabError(
            f"could not write {path} ({err.strerror or err}); earlier files in {os.path.dirname(path)} are intact."
        ) from None
    return path


def write_json(path: str, data: object) -> str:
    """Write ``data`` as indented JSON, atomically (creating the folder); return ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    def dump(tmp: str) -> None:
        with open(tmp, "w") as f:
            json.dump(data, f, indent=2)

    return write_atomic(path, dump)


def read_json(path: str, what: str = "file") -> dict:
    """Read a JSON file; a clear error when it is missing or not JSON."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise DistillLabError(f"{what} not found: {path}.") from None
    except json.JSONDecodeError as err:
        raise DistillLabError(f"{what} {path} is not valid JSON ({err}).") from None


def load_torch_file(path: str, what: str = "checkpoint", hint: str = "") -> tuple[str, object]:
    """``(absolute path, content)`` of a ``torch.save`` file loaded safely (``weights_only=True``); clear errors for
    a missing (``hint`` says how to make one), empty or corrupt file. ``what`` names the file in the messages."""
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.isfile(path):
        raise DistillLabError(f"{what} not found: {path}{hint}.")
    if os.path.getsize(path) == 0:
        raise DistillLabError(f"{what} is empty (0 bytes): {path}.")
    try:
        import torch  # here, so that the files helpers import without torch (distill_lab.deploy)

        return path, torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a corrupt or foreign file
        raise DistillLabError(f"{what} {path} cannot be read ({type(err).__name__}: {err}).") from None


def check_writable(folder: str) -> None:
    """Create ``folder`` and write a probe file in it, or raise a clear error before any work starts."""
    try:
        os.makedirs(folder, exist_ok=True)
        probe = os.path.join(folder, ".write_test")
        with open(probe, "w") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as err:
        raise DistillLabError(
            f"cannot write to {folder} ({err.strerror or err}). Run from a writable working directory: "
            "runs go to ./logs/."
        ) from None
