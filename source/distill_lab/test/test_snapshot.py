"""The resume-state snapshot: what it records, how it restores in place, and that a misfit changes nothing."""

from __future__ import annotations

import numpy as np
import torch
import warp as wp
from tensordict import TensorDict

from distill_lab.runners.checkpointing import _differences, _flatten
from distill_lab.runners.snapshot import restore, snapshot


class Holder:  # a stand-in for the project's own objects (distill_lab is a walked package)
    pass


Holder.__module__ = "distill_lab.test"


def _state(n: int = 3) -> Holder:
    obj = Holder()
    obj.buf = torch.zeros(n)
    obj.counter = 0
    obj.name = "a"
    obj.hidden = None
    obj.chunks = []
    obj.logs = {"reward": torch.zeros(())}
    obj.arr = np.zeros(n, dtype=np.float32)
    obj.wp_arr = wp.zeros(n, dtype=wp.vec3, device="cpu")
    return obj


def test_restore_writes_values_back_in_place_and_rebuilds_containers():
    live = _state()
    live.buf += 1
    live.counter, live.name = 5, "b"
    live.hidden = (torch.ones(1, 2), torch.full((1, 2), 2.0))
    live.chunks.append({"obs": TensorDict({"policy": torch.arange(6.0).view(2, 3)}, batch_size=[2])})
    live.logs["reward"] = torch.ones(4)
    live.arr[:] = 7
    live.wp_arr.assign(np.full((3, 3), 9, dtype=np.float32))
    saved = snapshot(live)
    fresh = _state()
    buf, arr, wp_arr = fresh.buf, fresh.arr, fresh.wp_arr
    problems = []
    restore(fresh, saved, True, problems)
    assert not problems
    assert fresh.buf is buf and buf.tolist() == [1.0, 1.0, 1.0]  # in place: other holders of the buffer see it
    assert fresh.arr is arr and arr.tolist() == [7.0] * 3
    assert fresh.wp_arr is wp_arr and (wp_arr.numpy() == 9).all()
    assert (fresh.counter, fresh.name) == (5, "b")
    assert isinstance(fresh.hidden, tuple) and fresh.hidden[1].tolist() == [[2.0, 2.0]]
    assert fresh.chunks[0]["obs"]["policy"].equal(torch.arange(6.0).view(2, 3))
    assert fresh.logs["reward"].shape == (4,)  # dict values may change shape (per-step logs)


def test_a_state_that_does_not_fit_is_reported_and_changes_nothing():
    saved = snapshot(_state(3))
    fresh = _state(5)
    fresh.counter = 1
    problems = []
    restore(fresh, saved, False, problems, "env")
    assert "env/buf: saved (3,) torch.float32, now (5,) torch.float32" in problems
    assert any(p.startswith("env/arr: saved array (3,)") for p in problems)
    assert fresh.counter == 1 and fresh.buf.shape == (5,)


def test_config_differences_are_named():
    saved = _flatten({"algorithm": {"learning_rate": 1e-3, "gamma": 0.99}}, "agent.")
    now = _flatten({"algorithm": {"learning_rate": 2e-3, "gamma": 0.99}}, "agent.")
    assert _differences(saved, now) == ["agent.algorithm.learning_rate: 0.001 -> 0.002"]
    assert _differences(saved, saved) == []
