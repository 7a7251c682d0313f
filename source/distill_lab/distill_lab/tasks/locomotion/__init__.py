"""Legged locomotion tasks."""

from . import blind  # noqa: F401
