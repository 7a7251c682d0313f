"""User-facing errors: a one-line cause, a non-zero exit and no traceback for bad input."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


class DistillLabError(RuntimeError):
    """Bad input from the user (unknown task, missing checkpoint, ...); the message says what was expected and found."""


def run_cli(main: Callable[[], object]) -> None:
    """Run a script's ``main``; turn a :class:`DistillLabError` into ``[distill_lab] error: ...`` and exit code 2."""
    try:
        main()
    except DistillLabError as err:
        fail(err)


def fail(err: DistillLabError) -> None:
    """Print the error's one-line cause and exit with code 2."""
    print(f"[distill_lab] error: {err}", file=sys.stderr)
    sys.exit(2)


@contextlib.contextmanager
def simulation(env_cfg, device: str) -> Iterator[None]:
    """Isaac Lab's ``launch_simulation`` (kit-less unless the cfg needs Kit), headless on ``device``.

    A :class:`DistillLabError` raised inside exits cleanly (code 2, one line) instead of the launcher's traceback.
    """
    from isaaclab.app import launch_simulation

    with launch_simulation(env_cfg, {"device": device, "headless": True}):
        try:
            yield
        except DistillLabError as err:
            fail(err)
