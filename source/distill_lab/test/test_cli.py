"""The shared command line and the package's shape: unknown flags, flag/override conflicts, launcher flags, the
privileged-term guard on every deployable agent, the console script, and imports that only go downward."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BLIND, REPO, TASK, refused

from distill_lab.cli.args import launcher_settings, make_parser, parse
from distill_lab.cli.configs import resolve_configs
from distill_lab.io import DistillLabError
from distill_lab.runners import check_policy_observations, run_kind

PACKAGE = Path(__file__).resolve().parents[1] / "distill_lab"
DEPLOYABLE = [
    "rsl_rl_distillation_cfg_entry_point",
    "rsl_rl_dagger_cfg_entry_point",
    "rsl_rl_bc_cfg_entry_point",
    "rsl_rl_ppd_cfg_entry_point",
    "rsl_rl_finetune_cfg_entry_point",
]


def test_unknown_flag_names_the_closest_known_ones(tmp_path):
    refused("train", "--task", TASK, "--num_envz", "16", cwd=tmp_path, match="unknown flag '--num_envz'.*--num_envs")
    refused("play", "--task", TASK, "--chekpoint", "x.pt", cwd=tmp_path, match="Did you mean --checkpoint")
    refused("train", "--task", TASK, "fast", cwd=tmp_path, match="unexpected argument 'fast'.*key=value")
    refused("sim2sim", "--task", TASK, "--student", "pretrained", "--frozen_at", "2", cwd=tmp_path,
            match="expected --frozen_at between 0 and 1.*found 2.0")  # fmt: skip


def test_a_flag_and_an_override_that_disagree_are_refused(tmp_path):
    refused("train", "--task", TASK, "--num_envs", "8", "env.scene.num_envs=16", cwd=tmp_path,
            match="--num_envs 8 and the override 'env.scene.num_envs=16'")  # fmt: skip
    refused("train", "--task", TASK, "--seed", "1", "agent.seed=2", cwd=tmp_path, match="agent.seed")
    refused("pipeline", "--task", TASK, "--num_envs", "8", "env.scene.num_envs=16", cwd=tmp_path, match="--num_envs")
    refused("pipeline", "--task", TASK, "--sweep", "env.robustness_sweep=null", cwd=tmp_path, match="robustness_sweep")
    args, overrides = parse(make_parser(""), ["--task", TASK, "--num_envs", "8", "env.scene.num_envs=8"])
    assert args.num_envs == 8 and overrides == ["env.scene.num_envs=8"], "agreeing values are fine"


def test_launcher_flags_are_accepted_and_say_they_have_no_effect_kit_less(capsys):
    argv = ["--task", TASK, "--headless", "--enable_cameras", "--livestream", "1", "--kit_args", "--no-window"]
    args, _ = parse(make_parser(""), argv)
    settings = launcher_settings(args, "cpu")
    out = capsys.readouterr().out
    for flag in ("--headless", "--enable_cameras", "--livestream", "--kit_args"):
        assert f"[INFO] {flag}: no effect here (Isaac Sim is not installed" in out
    assert settings == {"device": "cpu", "headless": True}


def test_distributed_and_torchrun_go_together(tmp_path, monkeypatch):
    refused("train", "--task", TASK, "--distributed", cwd=tmp_path, match="found --distributed given, WORLD_SIZE=1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    refused("train", "--task", TASK, cwd=tmp_path, match="found --distributed missing, WORLD_SIZE=2")


@pytest.mark.parametrize("task", [TASK, BLIND])
@pytest.mark.parametrize("agent", DEPLOYABLE)
def test_every_deployable_policy_is_refused_privileged_terms(task, agent):
    env_cfg, agent_cfg = resolve_configs(task, agent)
    check_policy_observations(env_cfg, agent_cfg)  # as registered: deployable groups only
    policy_set = run_kind(agent_cfg).policy_set
    env_cfg, agent_cfg = resolve_configs(task, agent, [f'agent.obs_groups.{policy_set}=["teacher"]'])
    with pytest.raises(DistillLabError, match=f"obs set '{policy_set}'.*'teacher'.*privileged term"):
        check_policy_observations(env_cfg, agent_cfg)


def test_teacher_may_read_privileged_terms_and_bad_obs_groups_are_clear():
    check_policy_observations(*resolve_configs(TASK, "rsl_rl_cfg_entry_point"))
    env_cfg, agent_cfg = resolve_configs(TASK, "rsl_rl_ppd_cfg_entry_point", ["agent.obs_groups.actor=[teacher]"])
    with pytest.raises(DistillLabError, match=r"must be a list of obs group names.*quote the list"):
        check_policy_observations(env_cfg, agent_cfg)
    env_cfg, agent_cfg = resolve_configs(TASK, "rsl_rl_ppd_cfg_entry_point", ['agent.obs_groups.critic=["imu"]'])
    with pytest.raises(DistillLabError, match="obs group 'imu', which the env does not have; it has policy"):
        check_policy_observations(env_cfg, agent_cfg)


def test_ppd_student_reading_the_wind_is_refused_before_training(tmp_path):
    refused("train", "--task", TASK, "--agent", "rsl_rl_ppd_cfg_entry_point", "--teacher_checkpoint", "pretrained",
            'agent.obs_groups.actor=["teacher"]', cwd=tmp_path, match="privileged term.*disturbance_force")  # fmt: skip
    assert not (tmp_path / "logs").exists(), "nothing was started"


def test_console_script_runs_every_command_and_errors_in_one_line(tmp_path):
    console = Path(sys.executable).parent / "distill-lab"
    listed = subprocess.run([console, "list"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert listed.returncode == 0 and "Quadcopter-Point-Ctrl" in listed.stdout and "blind_rl" in listed.stdout
    bad = subprocess.run([console, "train", "--task", TASK, "--num_envz", "4"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines()[-1].startswith("[distill_lab] error: unknown flag '--num_envz'")


LAYERS = {
    m["package"]: int(m["layer"])
    for m in re.finditer(r"^(?P<layer>\d)\s+(?P<package>\w+)\s", (REPO / "docs" / "architecture.md").read_text(), re.M)
}
"""Package layers, bottom up, as docs/architecture.md states them: a module imports only from lower layers (or its own
package)."""


def _layer(module: str) -> tuple[str, int]:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__init__":
        return "distill_lab", LAYERS["tasks"]  # importing the package registers the tasks
    return parts[1], LAYERS[parts[1]]


def test_imports_only_go_downward():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert set(LAYERS) == packages, (
        f"docs/architecture.md's layer table names {sorted(LAYERS)}, the package has {sorted(packages)}"
    )
    upward = []
    for path in PACKAGE.rglob("*.py"):
        module = "distill_lab." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        name, level = _layer(module)
        for node in ast.walk(ast.parse(path.read_text())):  # function-local imports count too
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            for target in (t for t in targets if t.split(".")[0] == "distill_lab"):
                other, other_level = _layer(target)
                if other != name and other_level >= level and not (name == "distill_lab" and other == "tasks"):
                    upward.append(f"{module} imports {target}")
    assert not upward, upward
