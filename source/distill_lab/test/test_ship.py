"""Shipping a teacher (``scripts/ship_teacher.py``): its card counts the training time of every run it resumed from."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
import torch
import yaml
from conftest import REPO
from torch.utils.tensorboard import SummaryWriter


def ship_teacher():
    spec = importlib.util.spec_from_file_location("ship_teacher", REPO / "scripts" / "ship_teacher.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_run(folder, iterations, wall_start, seconds_per_iteration, load_run=None, load_checkpoint=None):
    """A PPO run folder as train.py leaves it: params/agent.yaml, RSL-RL's git log, TensorBoard scalars, checkpoints."""
    (folder / "params").mkdir(parents=True)
    resumed = {"resume": load_run is not None, "load_run": load_run or ".*", "load_checkpoint": load_checkpoint}
    (folder / "params" / "agent.yaml").write_text(yaml.dump({"seed": 1, **resumed, "clip": (1, 2)}))  # a tuple too
    (folder / "git").mkdir()
    (folder / "git" / "distill_lab.diff").write_text(
        "--- git status ---\n--- git commit ---\nabc123\n--- git diff ---\n"
    )
    with SummaryWriter(str(folder)) as writer:
        for n, it in enumerate(iterations):
            writer.add_scalar("Train/mean_reward", float(it), it, walltime=wall_start + n * seconds_per_iteration)
    for it in (iterations[0], iterations[-1]):
        torch.save(
            {"actor_state_dict": {}, "critic_state_dict": {}, "iter": it, "infos": None}, folder / f"model_{it}.pt"
        )


def test_a_resumed_teacher_card_sums_each_run_up_to_the_checkpoint_it_handed_on_and_a_broken_chain_ships_nothing(
    tmp_path, monkeypatch
):
    runs = tmp_path / "logs" / "rsl_rl" / "my_task"
    make_run(runs / "first", range(0, 201), 1000.0, 10.0)  # iterations 101-200 were dropped by the resume
    make_run(runs / "second", range(100, 151), 9000.0, 20.0, load_run="first", load_checkpoint="model_100.pt")
    module = ship_teacher()
    monkeypatch.setattr(module, "ROOT", str(tmp_path))
    argv = ["ship_teacher.py", "--task", "T", "--run", str(runs / "second"), "--checkpoint", "model_150.pt"]
    monkeypatch.setattr(sys, "argv", [*argv, "--command", "train"])
    module.main()
    card = json.loads((tmp_path / "source/distill_lab/distill_lab/pretrained/my_task/teacher.json").read_text())
    assert card["training_wall_time_s"] == pytest.approx(100 * 10.0 + 50 * 20.0)
    assert card["resumed_from"] == ["logs/rsl_rl/my_task/first/model_100.pt"]
    assert card["final_train_mean_reward"] == 150.0 and card["iteration"] == 150

    make_run(runs / "third", range(150, 161), 20000.0, 5.0, load_run="gone", load_checkpoint="model_150.pt")
    monkeypatch.setattr(sys, "argv", ["ship_teacher.py", "--task", "T", "--run", str(runs / "third"),
                                      "--checkpoint", "model_160.pt", "--command", "train"])  # fmt: skip
    with pytest.raises(SystemExit, match="resumed from run 'gone', not found next to it"):
        module.main()
    assert json.loads((tmp_path / "source/distill_lab/distill_lab/pretrained/my_task/teacher.json").read_text()) == card
