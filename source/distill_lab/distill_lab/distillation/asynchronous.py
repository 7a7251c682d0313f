"""Asynchronous DAgger: the learner takes an iteration's gradient steps in a worker thread while the envs collect the
next rollout with a copy of the student that is at most ``max_staleness`` updates old.

DAgger's labels are the teacher's actions, not the student's, so a rollout driven by a slightly older student is as
valid a training set: the age of the acting weights changes which states are visited, never what they are labelled.
:class:`AsyncLearner` runs one *order* at a time (an iteration's ``num_learning_epochs * num_mini_batches`` gradient
steps, then the student's observation statistics) in its thread:

* the algorithm's ``update()`` waits for the previous order, adds the rollout to the buffer, sets the learning rate,
  starts the next order and returns; the buffer, the learning rate and the normalizer change only while no order
  runs, so the learner needs no lock on them;
* the envs act with a copy of the student (:meth:`refresh`, before every action): the newest weights the learner
  published (after each of its gradient steps, under a lock, so a copy is never half-updated), or the student's own
  weights when no order runs;
* while the envs are being stepped the learner does not start a step that would leave the acting weights more than
  ``max_staleness`` updates behind; it waits for the next action's refresh (between rollouts it runs freely);
  ``max_staleness=0``: the envs' first action of a rollout waits until the order is done instead, so every action is
  the newest student's and the run learns exactly as a synchronous one (nothing overlaps; a check of this machinery);
* :meth:`wait` (a save, the end of learning) returns once the order in flight is done, so a checkpoint holds whole
  iterations, as a synchronous run's do, and re-raises an error the learner met (e.g. a NaN loss).

Staleness of an env step: the gradient updates the learner completed while that step's acting weights were in use
(at most ``max_staleness``).

On a CPU the thread overlaps env stepping wherever both sides are in code that releases the GIL: PyTorch's ops and
Warp's CPU kernels do (measured: another Python thread runs during either), the Python between them does not. On a GPU
the learner queues its work on its own CUDA stream: an order waits for the main stream's buffer writes (an event
recorded when it starts), publishing waits for the main stream's last copy out of the published weights (another
event), a refresh makes the main stream wait for the publication, and an order ends with its stream synchronized, so
"no order runs" also means that no kernel of the learner is pending. That path was written for GPUs but not run: this
project had no GPU.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import torch

from .perf import PerfCounters


class _Stopped(Exception):
    """The learner was told to stop in the middle of an order."""


class AsyncLearner:
    """One worker thread that runs an algorithm's orders (callables returning what they log) for a ``model``, and
    hands that model's newest weights to an acting copy, at most ``max_staleness`` updates old while collecting."""

    def __init__(self, model: torch.nn.Module, max_staleness: int, device: str, perf: PerfCounters) -> None:
        self.model = model
        """The student that learns (the acting copy gets its weights)."""
        self.max_staleness = max_staleness
        """Most gradient updates the learner may complete while the envs act with one snapshot [updates]."""
        self.perf = perf
        """Where the threads' phases are timed: ``learner_busy``, ``learner_blocked`` (the learner's thread),
        ``learner_wait``, ``learner_refresh`` (the caller's)."""
        self.version = 0
        """Gradient updates the learner has published."""
        self.acting_version = 0
        """The version the acting copy holds."""
        self.staleness: list[int] = []
        """Per env step since the caller last cleared it: updates completed while that step's weights acted."""
        self._published = [t.detach().clone() for t in model.state_dict().values()]
        self._cond = threading.Condition()
        self._order: Callable[[], dict] | None = None
        self._busy = False
        self._collecting = False
        self._stop = False
        self._result: dict[str, float] = {}
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        cuda = torch.device(device).type == "cuda"
        self._stream = torch.cuda.Stream(device=device) if cuda else None
        self._ready = torch.cuda.Event() if cuda else None  # the main stream's writes before an order
        self._publication = torch.cuda.Event() if cuda else None  # the learner's last publication
        self._consumed = torch.cuda.Event() if cuda else None  # the main stream's last copy out of it

    # the caller's side (the thread that steps the envs)

    def start(self, order: Callable[[], dict]) -> None:
        """Run ``order`` in the learner's thread; the previous one must be done (:meth:`wait`)."""
        with self._cond:
            if self._busy:
                raise RuntimeError("an asynchronous learner's order started before the previous one was waited for")
            _copy(self._published, self.model.state_dict().values())  # what the caller changed since (a load, ...)
            if self._ready is not None:
                self._ready.record()
            self._order, self._busy, self._result = order, True, {}
            self._cond.notify_all()
        if self._thread is None or not self._thread.is_alive():
            self._stop = False
            self._thread = threading.Thread(target=self._work, name="distill_lab-learner", daemon=True)
            self._thread.start()

    def wait(self) -> dict[str, float]:
        """Wait until no order runs (the envs are not being stepped meanwhile, so the learner is not held back); what
        the last order logged. Re-raises (once) an error the learner met."""
        with self.perf.timing("learner_wait"), self._cond:
            self._collecting = False
            self._cond.notify_all()
            while self._busy:
                self._cond.wait()
            error, self._error = self._error, None
        if error is not None:
            raise error
        return dict(self._result)

    def refresh(self, acting: torch.nn.Module, first_step: bool) -> None:
        """Before an action: give ``acting`` the newest published weights (the model's own when no order runs, and at a
        rollout's ``first_step``), and record the staleness of the previous step's weights."""
        with self.perf.timing("learner_refresh"), self._cond:
            while self.max_staleness == 0 and self._busy:  # the envs act only with the newest weights: wait
                self._cond.wait()
            if self._collecting and not first_step:
                self.staleness.append(self.version - self.acting_version)
            if first_step or self.version != self.acting_version:
                if self._busy:
                    self._copy_published(acting)
                else:
                    _copy(acting.state_dict().values(), self.model.state_dict().values())
                self.acting_version = self.version
            self._collecting = True
            self._cond.notify_all()

    def stop(self) -> None:
        """End the thread (after the step it is taking); an unfinished order is dropped."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        self._thread, self._busy, self._order = None, False, None

    # the learner's side (called by an order, in the learner's thread)

    def before_step(self) -> None:
        """Wait while one more update would leave the acting weights more than ``max_staleness`` updates behind."""
        with self.perf.timing("learner_blocked"), self._cond:
            while (
                self._collecting and self.version - self.acting_version >= self.max_staleness and not self._stop
            ):  # fmt: skip
                self._cond.wait()
            if self._stop:
                raise _Stopped

    def publish(self) -> None:
        """Make the model's current weights the ones the acting copy takes next."""
        with self._cond:
            if self._stream is not None:
                self._stream.wait_event(self._consumed)  # the main stream has copied the last publication out
            _copy(self._published, self.model.state_dict().values())
            if self._publication is not None:
                self._publication.record(self._stream)
            self.version += 1
            self._cond.notify_all()

    # internals

    def _copy_published(self, acting: torch.nn.Module) -> None:
        if self._publication is not None:
            torch.cuda.current_stream().wait_event(self._publication)
        _copy(acting.state_dict().values(), self._published)
        if self._consumed is not None:
            self._consumed.record()

    def _work(self) -> None:
        stream = torch.cuda.stream(self._stream) if self._stream is not None else contextlib.nullcontext()
        while True:
            with self._cond:
                while self._order is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                order, self._order = self._order, None
            result, error = {}, None
            try:
                with stream, self.perf.timing("learner_busy"):
                    if self._stream is not None:
                        self._stream.wait_event(self._ready)
                    result = order()
                    if self._stream is not None:
                        self._stream.synchronize()
            except _Stopped:
                pass
            except BaseException as err:  # handed to the caller's thread by wait()
                error = err
            with self._cond:
                self._result, self._error, self._busy = result, error, False
                self._cond.notify_all()


def _copy(targets, sources) -> None:
    """Copy tensors pairwise into ``targets`` (state dict values: parameters and buffers, in order)."""
    with torch.no_grad():
        for target, source in zip(targets, sources, strict=True):
            target.copy_(source)
