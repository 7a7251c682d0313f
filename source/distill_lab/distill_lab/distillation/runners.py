"""RSL-RL runners with the project's checkpoint fixes: atomic saves and resume at the next iteration.

``DistillLabOnPolicyRunner`` and ``DistillLabDistillationRunner`` behave as ``OnPolicyRunner`` and
``DistillationRunner`` and write the same checkpoint format, except that

* a checkpoint is written to a temporary file and renamed, so a crash mid-save keeps the previous file intact;
* resuming continues at the iteration after the saved one (stock RSL-RL re-runs the saved iteration);
* checkpoints load with ``weights_only=True``, so a checkpoint file cannot run code.
"""

from __future__ import annotations

import os

import torch
from rsl_rl.runners import DistillationRunner, OnPolicyRunner


class _CheckpointFixes:
    """Atomic ``save`` and next-iteration ``load`` for an RSL-RL runner."""

    def save(self, path: str, infos: dict | None = None) -> None:
        saved = self.alg.save()
        saved["iter"] = self.current_learning_iteration
        saved["infos"] = infos
        tmp = f"{path}.tmp"
        torch.save(saved, tmp)
        os.replace(tmp, path)
        self.logger.save_model(path, self.current_learning_iteration)

    def load(self, path: str, load_cfg: dict | None = None, strict: bool = True, map_location: str | None = None):
        loaded = torch.load(path, weights_only=True, map_location=map_location)
        if self.alg.load(loaded, load_cfg, strict):
            self.current_learning_iteration = loaded["iter"] + 1
        return loaded["infos"]


class DistillLabOnPolicyRunner(_CheckpointFixes, OnPolicyRunner):
    """``OnPolicyRunner`` with atomic checkpoints and resume at the next iteration."""


class DistillLabDistillationRunner(_CheckpointFixes, DistillationRunner):
    """``DistillationRunner`` with atomic checkpoints and resume at the next iteration."""
