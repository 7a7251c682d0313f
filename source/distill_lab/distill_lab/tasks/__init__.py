"""Task packages; importing this registers every distill_lab gym ID."""

from . import quadcopter  # noqa: F401
