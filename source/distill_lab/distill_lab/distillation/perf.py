"""Where a run's wall time goes: cumulative seconds per phase (env stepping, acting, labelling, the update's parts).

An algorithm and a runner each keep a :class:`PerfCounters`; the runner writes both into every checkpoint's entry of
``manifest.json`` (``time_s``), and the benchmarks read them from there. Times are ``time.perf_counter`` wall times
of this process (like the manifest's ``training_seconds``, they start again at 0 when a run is resumed). On a GPU a
phase's time counts the kernel launches, not the kernels, unless something in it waits for the GPU: no
synchronization is added to measure them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class PerfCounters:
    """Cumulative seconds per named phase. Each phase is written by one thread (a learner thread has its own
    phases), so no lock is needed."""

    __slots__ = ("seconds",)  # no instance ``__dict__``: a run's resume state (runners/snapshot.py) skips the times

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        """Seconds spent so far in each phase."""

    @contextlib.contextmanager
    def timing(self, phase: str) -> Iterator[None]:
        """Add the time spent inside the block to ``phase``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(phase, time.perf_counter() - start)

    def add(self, phase: str, seconds: float) -> None:
        """Add ``seconds`` to ``phase``."""
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def rounded(self, digits: int = 3) -> dict[str, float]:
        """The counters, rounded, for a manifest."""
        return {phase: round(seconds, digits) for phase, seconds in self.seconds.items()}
