"""Legged locomotion tasks."""

from . import blind, go1  # noqa: F401
