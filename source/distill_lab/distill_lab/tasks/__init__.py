"""Task packages; importing this registers every distill_lab gym ID."""

from . import locomotion, quadcopter  # noqa: F401
