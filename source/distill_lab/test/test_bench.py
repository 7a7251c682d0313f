"""The benchmark harness's smoke run (``--quick``): two methods, two seeds, tiny sizes, into scratch folders only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, chdir


def test_distill_methods_quick_run_records_curves_costs_and_its_command(tmp_path):
    from bench import distill_methods

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
        spent = m["runs"]["1"][-1]["time_s"]  # where the time went, up to the last checkpoint
        assert {"collection", "learning", "env_step", "checkpointing", "evaluation"} <= set(spent)
        assert spent["collection"] + spent["learning"] == pytest.approx(m["runs"]["1"][-1]["wall_time_s"], abs=0.1)
        if name == "dagger":  # the DAgger family times its own phases
            assert {"student_act", "teacher_label", "update_forward", "update_backward", "buffer_sample"} <= set(spent)
        assert set(m["summary"]["time_s"]) == set(spent)
        assert (REPO / m["runs"]["1"][0]["run"]).resolve().is_relative_to(tmp_path), "runs go to the working folder"
    assert result["teacher_eval"]["mean_return"] > 0


def test_pinned_settings_take_changes_in_place_of_the_same_keys():
    from bench.common import DAGGER, DAGGER_BASE, pinned

    changed = pinned(DAGGER, "agent.algorithm.buffer_capacity=8", "agent.algorithm.learning_rate=3e-3")
    assert changed[0] == "agent.algorithm.buffer_capacity=8" and len(changed) == len(DAGGER_BASE) + 1
    assert [o for o in changed if "buffer_capacity" in o] == ["agent.algorithm.buffer_capacity=8"], "one value per key"
    assert pinned(DAGGER) == DAGGER_BASE and pinned("rsl_rl_feature_cfg_entry_point") == []


def test_processes_sharing_a_result_file_keep_each_others_runs_but_not_another_settings(tmp_path):
    from argparse import Namespace

    from bench.common import add_missing, rerun_flags, saved

    setting = {"task": "T", "iterations": 5, "teachers": {"dagger": "teacher.pt"}}
    path = tmp_path / "r.json"
    theirs = {"setting": {**setting, "teachers": {"latent": "latent.pt"}}, "runs": {"latent": {"8:8": {"2": {}}}}}
    path.write_text(json.dumps(theirs))
    runs = {"dagger": {"8:8": {"1": {}}}}
    add_missing(runs, saved(str(path), setting).get("runs", {}))
    assert runs == {"dagger": {"8:8": {"1": {}}}, "latent": {"8:8": {"2": {}}}}, "another method's runs are kept"
    args = Namespace(task="T", iterations=5, num_envs=4, eval_envs=2, name=None)
    flags = rerun_flags(args, runs, ["agent.x=1"], "--chain", "8:8")
    assert flags[:7] == ["--task", "T", "--chain", "8:8", "--seeds", "1", "2"], "every seed the file holds"
    assert flags[-1] == "agent.x=1"
    for other in ({**setting, "iterations": 6}, {**setting, "teachers": {"latent": "other.pt"}}):
        assert saved(str(path), other) == {}, f"runs of another setting are not merged: {other}"
    assert saved(str(tmp_path / "missing.json"), setting) == {}


def test_the_progressive_chain_distills_each_size_from_the_last_and_reports_it_against_direct(tmp_path):
    from bench import progressive

    argv = ["--chain", "8:8", "4:8", "--seeds", "1", "--iterations", "2", "--num_envs", "16", "--eval_envs", "8",
            "--eval_steps", "50"]  # fmt: skip
    with chdir(tmp_path):
        progressive.main([*argv, "--results", str(tmp_path)])
        runs_made = sorted((tmp_path / "logs").rglob("manifest.json"))
        result = json.loads((tmp_path / "progressive_Quadcopter-Point-Ctrl.json").read_text())
        assert result["command"] == "python bench/progressive.py --task Quadcopter-Point-Ctrl " + " ".join(argv)
        chain, direct = result["runs"]["chain"], result["runs"]["direct"]
        one, two = chain["8:8"]["1"], chain["4:8"]["1"]
        start = json.loads((REPO / two["run"] / "manifest.json").read_text())["start"]
        assert Path(start["checkpoint"]) == (REPO / one["checkpoint"]).resolve(), "stage 2 learns from stage 1"
        assert two["total_env_steps"] == 2 * one["total_env_steps"] == direct["4:8"]["1"]["total_env_steps"]
        assert two["profile"]["parameters"] < one["profile"]["parameters"] and 0 <= two["success_rate"] <= 1
        assert set(result["summary"]["direct"]) == {"8:8", "4:8"} and len(runs_made) == 3, "direct 8:8 is stage 1"
        progressive.main([*argv, "--results", str(tmp_path)])
        assert sorted((tmp_path / "logs").rglob("manifest.json")) == runs_made, "finished stages are not trained again"
