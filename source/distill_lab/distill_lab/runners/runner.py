"""The runner registry: ``agent_cfg.class_name`` (RSL-RL's runner names) -> the project's subclass of that runner.

Agent cfgs keep RSL-RL's names (``OnPolicyRunner``, ``DistillationRunner``), so Isaac Lab's own CLI builds RSL-RL's
runners from them, and the project's algorithms come in through ``algorithm.class_name``. distill_lab's commands
build the subclasses below: the same training loop plus :class:`~distill_lab.runners.checkpointing.CheckpointingRunner`
(atomic saves, manifest, exact resume), and offline iterations without env steps for algorithms that have them.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys

from isaaclab.utils import to_dict
from isaaclab_rl.rsl_rl import handle_deprecated_rsl_rl_cfg
from rsl_rl.runners import DistillationRunner, OnPolicyRunner
from tqdm import tqdm

from distill_lab.distillation.interface import interface
from distill_lab.io import DistillLabError

from .checkpointing import CheckpointingRunner
from .upstream import configure_gloo


class MultiProcessRunner:
    """Mixin: ``torchrun`` on CPUs uses Gloo (:func:`~distill_lab.runners.upstream.configure_gloo`); GPUs use
    RSL-RL's NCCL path."""

    def _configure_multi_gpu(self) -> None:
        if int(os.environ.get("WORLD_SIZE", "1")) > 1 and str(self.device).startswith("cpu"):
            configure_gloo(self)
        else:
            super()._configure_multi_gpu()


class DistillLabOnPolicyRunner(CheckpointingRunner, MultiProcessRunner, OnPolicyRunner):
    """RSL-RL's ``OnPolicyRunner`` (PPO, PPD, fine-tuning) with the project's checkpointing."""


class DistillLabDistillationRunner(CheckpointingRunner, MultiProcessRunner, DistillationRunner):
    """RSL-RL's ``DistillationRunner`` with the project's checkpointing; the iterations an algorithm trains without
    env steps (:meth:`~distill_lab.distillation.interface.DistillLabAlgorithm.split_iterations`, e.g. offline BC's)
    run first."""

    def learn(self, num_learning_iterations: int, init_at_random_ep_len: bool = False) -> None:
        learner = interface(self.alg)
        offline, online = learner.split_iterations(num_learning_iterations)
        learner.begin_learning(self.current_learning_iteration + num_learning_iterations)
        if online and not self.alg.teacher_loaded:
            raise DistillLabError(
                f"{online} iteration(s) with env steps need a teacher, and none is loaded: give --teacher_checkpoint "
                "PATH (or, for offline BC, a dataset whose teacher file exists, or agent.algorithm.dagger_rounds=0)."
            )
        try:
            if offline:
                self._learn_offline(offline)
            if online:
                super().learn(online, init_at_random_ep_len)
        finally:
            learner.end_learning()

    def _learn_offline(self, num_iterations: int) -> None:
        """``num_iterations`` updates on the algorithm's dataset: logged under ``Loss/`` and saved as RSL-RL does."""
        start = self.current_learning_iteration
        self.logger.init_logging_writer()
        self.alg.train_mode()
        if self.is_distributed:
            self.alg.broadcast_parameters()
        writer = self.logger.writer
        bar = tqdm(range(start, start + num_iterations), desc="offline", unit="it", file=sys.stderr, mininterval=2.0)
        for it in bar:
            losses = self.alg.update()
            self.current_learning_iteration = it
            bar.set_postfix(behavior=f"{losses['behavior']:.4f}", refresh=False)
            if writer is not None:
                for key, value in losses.items():
                    writer.add_scalar(f"Loss/{key}", value, it)
                if it % self.cfg["save_interval"] == 0 or it == start + num_iterations - 1:
                    self.save(os.path.join(self.logger.log_dir, f"model_{it}.pt"))
        if writer is not None:
            self.logger.stop_logging_writer()
        self.current_learning_iteration += 1


RUNNERS: dict[str, type[OnPolicyRunner]] = {
    "OnPolicyRunner": DistillLabOnPolicyRunner,
    "DistillationRunner": DistillLabDistillationRunner,
}
"""Runner classes by the ``class_name`` an agent cfg gives (RSL-RL's names)."""


def make_runner(env, agent_cfg, log_dir: str | None) -> OnPolicyRunner:
    """Build the runner named by ``agent_cfg.class_name`` on a wrapped env (``log_dir=None``: no logging)."""
    runner_class = RUNNERS.get(agent_cfg.class_name)
    if runner_class is None:
        raise DistillLabError(
            f"unknown runner class_name '{agent_cfg.class_name}': expected one of {', '.join(RUNNERS)} "
            "(choose the algorithm with agent.algorithm.class_name)."
        )
    agent_cfg = handle_deprecated_rsl_rl_cfg(agent_cfg, importlib.metadata.version("rsl-rl-lib"))
    return runner_class(env, to_dict(agent_cfg), log_dir=log_dir, device=agent_cfg.device)
