"""The benchmark harness's smoke run (``--quick``): two methods, two seeds, tiny sizes, into scratch folders only."""

from __future__ import annotations

import json
import sys

from conftest import REPO, chdir


def test_distill_methods_quick_run_records_curves_costs_and_its_command(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    import distill_methods

    with chdir(tmp_path):
        distill_methods.main(["--quick", "--results", str(tmp_path)])
    result = json.loads((tmp_path / "distill_methods_Quadcopter-Point-Ctrl_quick.json").read_text())
    assert result["command"].startswith("python bench/distill_methods.py --task Quadcopter-Point-Ctrl")
    assert (
        set(result["methods"]) == {"stock", "dagger"}
        and (tmp_path / "distill_methods_Quadcopter-Point-Ctrl_quick.png").is_file()
    )
    for name, updates_per_iteration in (("stock", 2), ("dagger", 8)):
        m = result["methods"][name]
        assert set(m["runs"]) == {"1", "2"}
        last = m["summary"]["final"]
        assert last["env_steps"]["mean"] == 2 * 24 * 16 and last["env_steps"]["n"] == 2
        assert last["gradient_updates"]["mean"] == 2 * updates_per_iteration, "counted optimizer steps"
        assert last["wall_time_s"]["mean"] > 0 and last["return_ratio"]["std"] >= 0
        assert m["summary"]["to_95pct"]["of"] == 2
        assert (REPO / m["runs"]["1"][0]["run"]).resolve().is_relative_to(tmp_path), "runs go to the working folder"
    assert result["teacher_eval"]["mean_return"] > 0


def test_pinned_settings_take_changes_in_place_of_the_same_keys():
    sys.path.insert(0, str(REPO / "bench"))
    from common import DAGGER, DAGGER_BASE, pinned

    changed = pinned(DAGGER, "agent.algorithm.buffer_capacity=8", "agent.algorithm.learning_rate=3e-3")
    assert changed[0] == "agent.algorithm.buffer_capacity=8" and len(changed) == len(DAGGER_BASE) + 1
    assert [o for o in changed if "buffer_capacity" in o] == ["agent.algorithm.buffer_capacity=8"], "one value per key"
    assert pinned(DAGGER) == DAGGER_BASE and pinned("rsl_rl_feature_cfg_entry_point") == []
