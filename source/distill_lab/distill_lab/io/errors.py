"""User-facing errors: a one-line cause that names what was expected and what was found, exit code 2, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class DistillLabError(RuntimeError):
    """Bad input from the user (unknown task, missing checkpoint, ...); the message says what was expected and found."""


def run_cli(main: Callable[[Sequence[str] | None], object], argv: Sequence[str] | None = None) -> None:
    """Run a command's ``main(argv)``; turn a :class:`DistillLabError` into ``[distill_lab] error: ...`` and exit 2."""
    try:
        main(argv)
    except DistillLabError as err:
        print(f"[distill_lab] error: {err}", file=sys.stderr)
        sys.exit(2)
