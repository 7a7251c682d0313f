"""Workarounds of rsl-rl-lib 5.5.1 behaviour that RSL-RL offers no hook for; each names the upstream line it handles.

Used by :mod:`distill_lab.runners.checkpointing` (the runners' ``load``). Re-check them when the pin (5.5.1, the
version Isaac Lab 3.0 pins) changes.
"""

from __future__ import annotations

import os

import torch
from rsl_rl.algorithms import PPO

from distill_lab.distillation.ppd import PPD


def resumed_iteration(loaded: dict) -> int:
    """The iteration a resumed run starts at: the one after the saved one.

    ``OnPolicyRunner.load`` (``rsl_rl/runners/on_policy_runner.py`` line 160) sets ``current_learning_iteration`` to
    the saved ``iter``, and ``learn`` starts there, so a resumed run repeats (and re-saves) the saved iteration.
    """
    return int(loaded["iter"]) + 1


def weights_only_load_cfg(loaded: dict, load_cfg: dict | None, alg) -> dict | None:
    """What to load from a weights-only checkpoint (a shipped teacher or student over 1 MB keeps no optimizer state).

    ``PPO.load`` (``rsl_rl/algorithms/ppo.py`` line 404) and ``Distillation.load`` (``distillation.py`` line 246) load
    ``optimizer_state_dict`` whenever ``load_cfg`` is None, and fail without it. Distillation algorithms and PPD read a
    PPO file as their teacher, without ``PPO.load``.
    """
    if load_cfg is not None or "optimizer_state_dict" in loaded:
        return load_cfg
    if "student_state_dict" in loaded:
        return {"student": True, "teacher": "teacher_state_dict" in loaded, "iteration": True}
    if "actor_state_dict" in loaded and isinstance(alg, PPO) and not isinstance(alg, PPD):
        return {"actor": True, "critic": "critic_state_dict" in loaded, "iteration": True}
    return load_cfg


def count_iteration_times(runner, perf) -> None:
    """Add every iteration's collection and learning time to ``perf`` (phases ``collection`` and ``learning``).

    ``OnPolicyRunner.learn`` (``rsl_rl/runners/on_policy_runner.py`` lines 101-120) measures both and hands them only
    to ``Logger.log``, which adds their sum to ``tot_time`` (the manifest's ``training_seconds``); this wraps that
    call of the runner's logger.
    """
    log = runner.logger.log

    def log_and_count(*args, **kwargs):
        perf.add("collection", kwargs["collect_time"])
        perf.add("learning", kwargs["learn_time"])
        return log(*args, **kwargs)

    runner.logger.log = log_and_count


def configure_gloo(runner) -> None:
    """Multi-process training on CPUs: what ``OnPolicyRunner._configure_multi_gpu``
    (``rsl_rl/runners/on_policy_runner.py`` lines 207-249) does for GPUs, with the Gloo backend and the CPU.

    Upstream requires the device ``cuda:<LOCAL_RANK>`` and initializes NCCL, so a ``torchrun`` launch on CPUs fails.
    Ranks come from torchrun's ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK``; every rank runs on the CPU.
    """
    runner.gpu_world_size = int(os.environ["WORLD_SIZE"])
    runner.gpu_global_rank = int(os.environ.get("RANK", "0"))
    runner.gpu_local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    runner.is_distributed = True
    runner.cfg["multi_gpu"] = {
        "global_rank": runner.gpu_global_rank,
        "local_rank": runner.gpu_local_rank,
        "world_size": runner.gpu_world_size,
    }
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("gloo", rank=runner.gpu_global_rank, world_size=runner.gpu_world_size)
