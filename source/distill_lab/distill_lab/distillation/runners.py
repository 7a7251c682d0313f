"""RSL-RL runners with the project's checkpoint fixes: atomic saves, a run manifest, RNG state and exact resume.

``DistillLabOnPolicyRunner`` and ``DistillLabDistillationRunner`` behave as ``OnPolicyRunner`` and
``DistillationRunner`` and write the same checkpoint format (plus an ``rng_state`` entry), except that

* a checkpoint is written to a temporary file and renamed, so a crash or kill mid-save keeps the previous file
  intact; a failed write (full disk) removes the partial file and says so;
* each save updates ``manifest.json`` in the run folder: the latest and the best checkpoint (by mean training
  episode reward), the iteration and the metrics of every saved checkpoint;
* resuming restores the RNG states (torch, NumPy, Python) and continues at the iteration after the saved one
  (stock RSL-RL re-runs the saved iteration);
* checkpoints load with ``weights_only=True``, so a checkpoint file cannot run code.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time

import numpy as np
import torch
from rsl_rl.runners import DistillationRunner, OnPolicyRunner

MANIFEST = "manifest.json"
"""The run folder's manifest file name."""


def rng_state() -> dict[str, torch.Tensor]:
    """The torch, NumPy and Python RNG states as tensors (loadable with ``weights_only=True``)."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    version, py_state, py_gauss = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "numpy": torch.from_numpy(keys.astype(np.int64)),
        "numpy_extra": torch.tensor([pos, has_gauss, gauss], dtype=torch.float64),
        "python": torch.tensor(py_state, dtype=torch.int64),
        "python_extra": torch.tensor([version, float("nan") if py_gauss is None else py_gauss], dtype=torch.float64),
    }


def set_rng_state(state: dict[str, torch.Tensor]) -> None:
    """Restore the RNG states saved by :func:`rng_state`."""
    torch.set_rng_state(state["torch"])
    pos, has_gauss, gauss = state["numpy_extra"].tolist()
    np.random.set_state(("MT19937", state["numpy"].numpy().astype(np.uint32), int(pos), int(has_gauss), gauss))
    version, py_gauss = state["python_extra"].tolist()
    random.setstate((int(version), tuple(state["python"].tolist()), None if np.isnan(py_gauss) else py_gauss))


def write_atomic(path: str, write) -> None:
    """``write(tmp_path)``, then rename onto ``path``; on failure remove the partial file and raise a clear error."""
    tmp = f"{path}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as err:
        from distill_lab.utils.errors import DistillLabError  # here: distill_lab.utils imports this module

        if os.path.exists(tmp):
            os.remove(tmp)
        raise DistillLabError(
            f"could not write {path} ({err.strerror or err}); earlier files in {os.path.dirname(path)} are intact."
        ) from None


class _CheckpointFixes:
    """Atomic ``save`` with a manifest and RNG state, and ``load`` that resumes at the next iteration."""

    def save(self, path: str, infos: dict | None = None) -> None:
        saved = self.alg.save()
        saved["iter"] = self.current_learning_iteration
        saved["infos"] = infos
        saved["rng_state"] = rng_state()
        write_atomic(path, lambda tmp: torch.save(saved, tmp))
        self.logger.save_model(path, self.current_learning_iteration)
        self._update_manifest(path)

    def load(self, path: str, load_cfg: dict | None = None, strict: bool = True, map_location: str | None = None):
        loaded = torch.load(path, weights_only=True, map_location=map_location)
        weights_only = "actor_state_dict" in loaded and "optimizer_state_dict" not in loaded
        if load_cfg is None and weights_only and not hasattr(self.alg, "teacher"):
            # PPO plays a shipped teacher, which keeps only its weights (ship_teacher.py drops the optimizer)
            load_cfg = {"actor": True, "critic": "critic_state_dict" in loaded, "iteration": True}
        if self.alg.load(loaded, load_cfg, strict):
            self.current_learning_iteration = loaded["iter"] + 1
            if "rng_state" in loaded:
                set_rng_state({k: v.cpu() for k, v in loaded["rng_state"].items()})
        return loaded["infos"]

    def _update_manifest(self, path: str) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        manifest_path = os.path.join(folder, MANIFEST)
        manifest = {"checkpoints": []}
        if os.path.exists(manifest_path):
            with open(manifest_path) as f:
                manifest = json.load(f)
        logger = self.logger
        entry = {
            "checkpoint": os.path.basename(path),
            "iteration": self.current_learning_iteration,
            "saved": time.strftime("%Y-%m-%d %H:%M:%S"),
            "total_env_steps": int(logger.tot_timesteps),
            "training_seconds": round(float(logger.tot_time), 1),
            "mean_reward": statistics.mean(logger.rewbuffer) if logger.rewbuffer else None,
            "mean_episode_length": statistics.mean(logger.lenbuffer) if logger.lenbuffer else None,
        }
        entries = [e for e in manifest["checkpoints"] if e["checkpoint"] != entry["checkpoint"]] + [entry]
        rated = [e for e in entries if e["mean_reward"] is not None]
        manifest = {
            "latest": entry,
            "best": max(rated, key=lambda e: e["mean_reward"]) if rated else None,
            "checkpoints": entries,
        }
        write_atomic(manifest_path, lambda tmp: json.dump(manifest, open(tmp, "w"), indent=2))


def latest_checkpoint(run_dir: str) -> str | None:
    """The newest checkpoint the run's manifest lists (``None`` before the first save)."""
    manifest_path = os.path.join(run_dir, MANIFEST)
    if not os.path.exists(manifest_path):
        return None
    with open(manifest_path) as f:
        return os.path.join(run_dir, json.load(f)["latest"]["checkpoint"])


class DistillLabOnPolicyRunner(_CheckpointFixes, OnPolicyRunner):
    """``OnPolicyRunner`` with atomic checkpoints, a manifest, RNG state and resume at the next iteration."""


class DistillLabDistillationRunner(_CheckpointFixes, DistillationRunner):
    """``DistillationRunner`` with atomic checkpoints, a manifest, RNG state and resume at the next iteration."""
