"""Evaluate checkpoints on one env: identical seeds and initial states, a robustness sweep, and a policy's cost.

* :func:`evaluate_checkpoint` rolls a checkpoint out deterministically after a seeded reset; a student is also
  compared with its teacher along the student's own trajectory.
* :func:`apply_sweep_value` pins the parameter a task's ``robustness_sweep``
  (:class:`~distill_lab.tasks.base.RobustnessSweepCfg`) names to one of its values.
* :func:`profile_policy` measures what deployment cares about: parameters, ONNX size and CPU latency per step.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from distill_lab.distillation.interface import interface

from .export import export_policy
from .rollout import RolloutResult, rollout


def evaluate_checkpoint(
    env, runner, checkpoint: str, num_steps: int, seed: int, desc: str = "evaluate"
) -> RolloutResult:
    """Load ``checkpoint`` into ``runner``, reset ``env`` with ``seed`` and roll the policy out for ``num_steps``.

    For a student with a teacher (the algorithm's ``reference``: the teacher stored with it, or each env's own of many),
    the teacher labels every state the student visits, and the result's metrics gain ``action_mae`` and
    ``action_rmse`` (student minus teacher action).
    """
    runner.load(checkpoint, map_location=runner.device)
    policy = runner.get_inference_policy(device=runner.device)
    teacher = interface(runner.alg).reference
    env.seed(seed)
    env.reset()
    policy.reset()
    if teacher is not None:
        teacher.reset()
    return rollout(env, policy, num_steps, reference=teacher, desc=desc)


def apply_sweep_value(env, sweep, value: float) -> None:
    """Pin the swept parameter to ``value``: reset events use it at the next reset, start-up events apply it now."""
    unwrapped = env.unwrapped
    manager = getattr(unwrapped, "event_manager", None)  # a Direct env randomizes in its own cfg's terms
    term = manager.get_term_cfg(sweep.event) if manager else getattr(unwrapped.cfg.randomization, sweep.event)
    for name in sweep.params:
        term.params[name] = (float(value), float(value))
    if term.mode == "startup":
        term.func(unwrapped, None, **term.params)


def profile_policy(runner, env, batch_sizes: tuple[int, ...] = (1, 1024)) -> dict:
    """Parameter count, ONNX file size and median CPU latency per step of the exported policy (ONNX Runtime, 1 thread).

    The policy is exported to a temporary folder with :func:`~distill_lab.evaluation.export.export_policy`, so the
    numbers are those of the file a robot would run, normalizer and recurrent state included.
    """
    import onnxruntime as ort

    policy = runner.alg.get_policy()
    result = {"parameters": sum(p.numel() for p in policy.parameters())}
    with tempfile.TemporaryDirectory() as folder:
        _, onnx_path = export_policy(runner, folder, env)
        result["onnx_bytes"] = os.path.getsize(onnx_path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    for batch in batch_sizes:
        feed = {i.name: np.zeros([d if isinstance(d, int) else batch for d in i.shape], np.float32) for i in inputs}
        feed[inputs[0].name] = np.random.default_rng(0).standard_normal(feed[inputs[0].name].shape, np.float32)
        session.run(None, feed)  # warm-up
        times = []
        for _ in range(200 if batch == 1 else 20):
            start = time.perf_counter()
            session.run(None, feed)
            times.append(time.perf_counter() - start)
        result[f"latency_ms_batch{batch}"] = 1e3 * float(np.median(times))
    return result
