"""Checkpointing for RSL-RL's runners: atomic saves, a run manifest, RNG state and exact resume.

:class:`CheckpointingRunner` is mixed into the project's ``OnPolicyRunner`` and ``DistillationRunner`` subclasses
(:mod:`distill_lab.runners.runner`). They write RSL-RL's checkpoint format (plus an ``rng_state`` entry), except that

* a checkpoint is written to a temporary file and renamed, so a crash or kill mid-save keeps the previous file
  intact; a failed write (full disk) removes the partial file and says so;
* each save updates ``manifest.json`` in the run folder: the latest and the best checkpoint (by mean training
  episode reward), and per saved checkpoint its iteration, env steps, gradient updates (optimizer steps, counted by a
  hook on the algorithm's optimizer), training time, where that time went (``time_s``: cumulative seconds of
  ``collection`` and ``learning`` as RSL-RL's loop measures them, whose sum is ``training_seconds``; ``env_step``
  inside collection; ``checkpointing``, outside both; and the algorithm's own phases,
  :meth:`~distill_lab.distillation.interface.DistillLabAlgorithm.perf_counters`) and metrics;
* resuming restores the RNG states (torch, NumPy, Python) and continues at the iteration after the saved one
  (stock RSL-RL re-runs the saved iteration: :mod:`distill_lab.runners.upstream`);
* each save also writes ``resume_state.pt``: the episodes in flight (env, physics, the algorithm's memory and
  buffers, the last observation; see :mod:`distill_lab.runners.snapshot`). Resuming from that checkpoint with the same
  config restores them, so the resumed run matches an uninterrupted one;
* checkpoints load with ``weights_only=True``, so a checkpoint file cannot run code.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import random
import statistics
import time

import imageio.v2 as imageio
import numpy as np
import torch

from distill_lab.distillation.interface import interface
from distill_lab.distillation.perf import PerfCounters
from distill_lab.io import MANIFEST, read_json, write_atomic, write_json

from .guards import FiniteCheckedVecEnv
from .snapshot import restore, snapshot
from .upstream import count_iteration_times, resumed_iteration, weights_only_load_cfg

RESUME_STATE = "resume_state.pt"
"""The run folder's state of the episodes in flight at the latest checkpoint."""
RUN_CFG_KEYS = ("algorithm", "obs_groups", "num_steps_per_env", "actor", "critic", "student", "teacher", "clip_actions")
"""Runner cfg entries that must match for an exact resume (run control such as max_iterations may change)."""


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


class CheckpointingRunner:
    """Mixin for an RSL-RL runner: atomic ``save`` with a manifest, RNG state and the episodes in flight, and ``load``
    that resumes at the next iteration."""

    start: dict | None = None
    """What the run started from (``checkpoint``, ``role``, ``exact_resume``), recorded in the manifest."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gradient_updates = 0
        """Optimizer steps of the algorithm so far (continued across a resume)."""
        self.alg.optimizer.register_step_post_hook(
            lambda *_: setattr(self, "gradient_updates", self.gradient_updates + 1)
        )
        self.perf = PerfCounters()
        """The runner's phases: ``collection``, ``learning``, ``env_step`` (the env wrapper's), ``checkpointing``."""
        count_iteration_times(self, self.perf)
        if isinstance(self.env, FiniteCheckedVecEnv):
            self.env.perf = self.perf

    def save(self, path: str, infos: dict | None = None) -> None:
        # a checkpoint holds whole iterations: an asynchronous learner's gradient steps in flight end first, and the
        # wait is learning time (RSL-RL's loop, which saves after timing the iteration, does not count it)
        started = time.perf_counter()
        interface(self.alg).finish_updates()
        waited = time.perf_counter() - started
        self.perf.add("learning", waited)
        self.logger.tot_time += waited
        with self.perf.timing("checkpointing"):
            self._save(path, infos)

    def _save(self, path: str, infos: dict | None) -> None:
        saved = self.alg.save()
        saved["iter"] = self.current_learning_iteration
        saved["infos"] = infos
        saved["rng_state"] = rng_state()
        saved["gradient_updates"] = getattr(self, "gradient_updates", 0)
        write_atomic(path, lambda tmp: torch.save(saved, tmp))
        self.logger.save_model(path, self.current_learning_iteration)
        self._update_manifest(path)
        self._log_new_clips()
        if getattr(self, "env", None) is not None and not self.is_distributed:  # episodes of one process only
            state = {"checkpoint": os.path.basename(path), "config": self._run_config(), "state": self._live_state()}
            write_atomic(os.path.join(os.path.dirname(path), RESUME_STATE), lambda tmp: torch.save(state, tmp))

    def load(self, path: str, load_cfg: dict | None = None, strict: bool = True, map_location: str | None = None):
        loaded = torch.load(path, weights_only=True, map_location=map_location)
        if self.alg.load(loaded, weights_only_load_cfg(loaded, load_cfg, self.alg), strict):
            self.current_learning_iteration = resumed_iteration(loaded)
            self.gradient_updates = int(loaded.get("gradient_updates", 0))
            if "rng_state" in loaded:
                set_rng_state({k: v.cpu() for k, v in loaded["rng_state"].items()})
        return loaded["infos"]

    def _log_new_clips(self) -> None:
        """Put clips recorded while training (``<run>/videos/``) into TensorBoard, each once, at half size and frame
        rate; RSL-RL's logger uploads them to W&B itself."""
        writer = self.logger.writer
        if not hasattr(writer, "add_video"):
            return
        logged = self.__dict__.setdefault("_logged_clips", set())
        for clip in sorted(glob.glob(os.path.join(self.logger.log_dir, "videos", "**", "*.mp4"), recursive=True)):
            if clip not in logged:
                logged.add(clip)
                with imageio.get_reader(clip) as reader:
                    fps = reader.get_meta_data()["fps"] / 2
                    frames = np.stack([f[::2, ::2] for i, f in enumerate(reader) if i % 2 == 0])  # ffmpeg's len: inf
                video = torch.from_numpy(frames).permute(0, 3, 1, 2).unsqueeze(0)  # (1, T, C, H, W) uint8
                writer.add_video(f"Video/{os.path.basename(clip)[:-4]}", video, self.current_learning_iteration, fps)

    def record_ranks(self) -> None:
        """Collective (every rank calls it): rank 0 writes each rank's policy digest (SHA-256 of its parameters and
        normalizer, bit for bit) into the manifest, so that ranks out of sync show."""
        digest = hashlib.sha256()
        for tensor in self.alg.get_policy().state_dict().values():
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        checksums = [None] * self.gpu_world_size
        torch.distributed.all_gather_object(checksums, digest.hexdigest())
        if self.logger.log_dir is not None and self.gpu_global_rank == 0:
            path = os.path.join(self.logger.log_dir, MANIFEST)
            manifest = read_json(path, "manifest")
            manifest["ranks"] = {"world_size": self.gpu_world_size, "policy_sha256": checksums}
            write_json(path, manifest)

    def load_resume_state(self, path: str) -> bool:
        """Restore the episodes in flight saved with checkpoint ``path``; False (and why, printed) if they cannot be."""
        state_path = os.path.join(os.path.dirname(os.path.abspath(path)), RESUME_STATE)
        fresh = "training goes on from the checkpoint's learner state with fresh episodes."
        if self.is_distributed:
            print(f"[INFO] Exact resume needs one process (a distributed run saves no {RESUME_STATE}): {fresh}")
            return False
        state = torch.load(state_path, weights_only=True) if os.path.exists(state_path) else None
        if state is None or state["checkpoint"] != os.path.basename(path):
            found = f"it is from {state['checkpoint']}" if state else "there is none"
            print(f"[INFO] No {RESUME_STATE} for {os.path.basename(path)} ({found}): {fresh}")
            return False
        changed = _differences(state["config"], self._run_config())
        if changed:
            print(f"[INFO] The config differs from the saved run ({'; '.join(changed[:4])}): {fresh}")
            return False
        live, problems = self._live_roots(), []
        for apply in (False, True):  # check everything first: restore all or nothing
            seen = set()
            for key, value in live.items():
                restore(value, state["state"].get(key), apply, problems, key, seen)
            if problems:
                print(f"[INFO] The saved episodes do not fit this env ({'; '.join(problems[:3])}): {fresh}")
                return False
        self.env.pending_obs = self.env.last_obs
        print(f"[INFO] Exact resume: restored the env, physics and algorithm state saved with {state['checkpoint']}.")
        return True

    def _live_roots(self) -> dict:
        """The objects whose state the checkpoint does not hold: env, physics manager, env wrapper, algorithm."""
        physics = self.env.unwrapped.sim.physics_manager
        physics = physics._resolve() if hasattr(physics, "_resolve") else physics
        return {"env": self.env.unwrapped, "physics": physics, "vecenv": self.env, "alg": self.alg}

    def _live_state(self) -> dict:
        seen = set()
        return {key: snapshot(value, seen) for key, value in self._live_roots().items()}

    def _run_config(self) -> dict:
        """The env cfg and the learning-relevant runner cfg, flattened to ``key -> repr``."""
        env_cfg = self.env.unwrapped.cfg.to_dict()
        env_cfg.pop("log_dir", None)
        run_cfg = {key: self.cfg[key] for key in RUN_CFG_KEYS if key in self.cfg}
        return {**_flatten(env_cfg, "env."), **_flatten(run_cfg, "agent.")}

    def _time_breakdown(self) -> dict[str, float]:
        """Seconds so far in the runner's phases and the algorithm's (``time_s`` of a manifest entry)."""
        phases = {**self.perf.seconds, **interface(self.alg).perf_counters()}
        return {phase: round(seconds, 3) for phase, seconds in phases.items()}

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
            "gradient_updates": getattr(self, "gradient_updates", 0),
            "training_seconds": round(float(logger.tot_time), 1),
            "time_s": self._time_breakdown(),
            "mean_reward": statistics.mean(logger.rewbuffer) if logger.rewbuffer else None,
            "mean_episode_length": statistics.mean(logger.lenbuffer) if logger.lenbuffer else None,
            **interface(self.alg).run_stats(),
        }
        entries = [e for e in manifest["checkpoints"] if e["checkpoint"] != entry["checkpoint"]] + [entry]
        rated = [e for e in entries if e["mean_reward"] is not None]
        manifest = {
            "start": getattr(self, "start", None),
            "latest": entry,
            "best": max(rated, key=lambda e: e["mean_reward"]) if rated else None,
            "checkpoints": entries,
        }
        write_json(manifest_path, manifest)


def _flatten(tree, prefix: str) -> dict[str, str]:
    if not isinstance(tree, dict):
        return {prefix[:-1]: repr(tree)}
    return {k: v for key, value in tree.items() for k, v in _flatten(value, f"{prefix}{key}.").items()}


def _differences(saved: dict[str, str], now: dict[str, str]) -> list[str]:
    return [
        f"{k}: {saved.get(k)} -> {now.get(k)}" for k in sorted(saved.keys() | now.keys()) if saved.get(k) != now.get(k)
    ]
