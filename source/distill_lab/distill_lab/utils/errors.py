"""User-facing errors: a one-line cause, a non-zero exit and no traceback for bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable


class DistillLabError(RuntimeError):
    """Bad input from the user (unknown task, missing checkpoint, ...); the message says what was expected and found."""


def run_cli(main: Callable[[], object]) -> None:
    """Run a script's ``main``; turn a :class:`DistillLabError` into ``[distill_lab] error: ...`` and exit code 2."""
    try:
        main()
    except DistillLabError as err:
        print(f"[distill_lab] error: {err}", file=sys.stderr)
        sys.exit(2)
