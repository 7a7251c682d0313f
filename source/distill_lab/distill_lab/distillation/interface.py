"""The interface between an algorithm and distill_lab's runners and commands: what a run asks of it, with defaults.

Every algorithm of this package inherits :class:`DistillLabAlgorithm` and overrides what it does differently (offline
iterations, a learning-rate schedule that ends with the run, many teachers). RSL-RL's own ``PPO`` and ``Distillation``
reach the runners through :class:`StockAlgorithm`, which gives them the defaults. :func:`interface` returns one or the
other, so runners and commands never ask an algorithm what it happens to have.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from rsl_rl.algorithms import Distillation

from distill_lab.io import DistillLabError, check_state_dict, load_checkpoint, teacher_state_dict


class DistillLabAlgorithm:
    """What a run asks of an algorithm. The defaults are those of an online run that learns from at most one teacher
    (RSL-RL's ``Distillation``)."""

    teacher_specs: list[dict] = []
    """Where the loaded teachers came from (:func:`distill_lab.io.teacher_spec` entries), in teacher order."""

    def split_iterations(self, num_iterations: int) -> tuple[int, int]:
        """``(offline, online)``: how many of the next ``num_iterations`` train without stepping the env, and how many
        step it. Default: all of them step it."""
        return 0, num_iterations

    def begin_learning(self, end_iteration: int) -> None:
        """Called once before learning with the iteration the run ends at, counted from the start of training (a
        resumed run counts its earlier iterations). Default: nothing."""

    def finish_updates(self) -> None:
        """Return once no gradient step is in flight, so the algorithm's state is whole (a save calls it first).
        Default: nothing (an update is done when ``update`` returns); an asynchronous learner waits for its thread."""

    def end_learning(self) -> None:
        """Called once when learning stops, normally or not: finish the updates in flight and release what learning
        held (an asynchronous learner's thread). Default: nothing."""

    def run_stats(self) -> dict:
        """Entries that each manifest entry of a run adds about the algorithm besides time, e.g. an asynchronous
        DAgger's ``staleness``. Default: none."""
        return {}

    def perf_counters(self) -> dict[str, float]:
        """Seconds so far in each phase the algorithm times itself (:mod:`~distill_lab.distillation.perf`), written
        into the run's manifest with the runner's. Default: none (RSL-RL's own algorithms time nothing)."""
        return {}

    def teacher_models(self) -> list[torch.nn.Module]:
        """The teachers, uncompiled (their state dicts are those the checkpoints hold). Default: the one teacher."""
        return [self._raw_teacher]  # rsl-rl-lib 5.5.1: ``teacher`` may be compiled; ``_raw_teacher`` never is

    def load_teachers(self, specs: Sequence[dict]) -> None:
        """Load the teachers a fresh run learns from, one spec (:func:`distill_lab.io.teacher_spec`) per teacher: the
        policy each checkpoint trained (a PPO actor, or a distilled student), after checking it fits the model."""
        models = self.teacher_models()
        if len(specs) != len(models):
            raise DistillLabError(
                f"{type(self).__name__} learns from {len(models)} teacher(s), and {len(specs)} were given "
                f"({', '.join(s['checkpoint'] for s in specs)})."
            )
        for i, (spec, model) in enumerate(zip(specs, models, strict=True)):
            path = spec["checkpoint"]
            state = teacher_state_dict(load_checkpoint(path), path)
            which = "teacher" if len(specs) == 1 else f"teacher {i} ({spec['name']})"
            what = f"{which} checkpoint {path}"
            check_state_dict(model, state, what)
            model.load_state_dict(state)
        self.teacher_specs = list(specs)
        self.teacher_loaded = True

    @property
    def reference(self):
        """The policy a student is compared with along its own trajectory (evaluation): its teacher."""
        return self.teacher


class StockAlgorithm(DistillLabAlgorithm):
    """RSL-RL's own ``PPO`` or ``Distillation`` behind the interface, with its defaults."""

    def __init__(self, algorithm) -> None:
        object.__setattr__(self, "algorithm", algorithm)

    def __getattr__(self, name: str):
        return getattr(self.algorithm, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.algorithm, name, value)

    @property
    def reference(self):
        """RSL-RL's ``Distillation``: its teacher; ``PPO`` trains a teacher and has none."""
        return self.algorithm.teacher if isinstance(self.algorithm, Distillation) else None


def interface(algorithm) -> DistillLabAlgorithm:
    """``algorithm`` itself (any algorithm of this package), or RSL-RL's own one behind :class:`StockAlgorithm`."""
    return algorithm if isinstance(algorithm, DistillLabAlgorithm) else StockAlgorithm(algorithm)
