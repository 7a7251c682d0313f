"""Microcontroller export (scripts/deploy/export_c.py): the tiny GRU student's ``policy.h`` and NumPy step match its
ONNX file along a recorded trajectory; LSTM and small MLP graphs too; too large or unsupported policies are refused."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import TASK, assert_clean_error, refused, run, run_script

from distill_lab.evaluation.microcontroller import (
    c_trajectory,
    compiler,
    header_source,
    load_onnx_policy,
    numpy_trajectory,
    onnx_trajectory,
    recorded_trajectory,
    synthetic_trajectory,
)
from distill_lab.io import DistillLabError

TINY = "rsl_rl_dagger_tiny_cfg_entry_point"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, str]:
    """A 1-iteration tiny GRU student, exported by play.py, and a 120-step teacher dataset (1 s episodes)."""
    folder = tmp_path_factory.mktemp("microcontroller")
    run("train", "--task", TASK, "--agent", TINY, "--num_envs", "4", "--max_iterations", "1",
        "--teacher_checkpoint", "pretrained", cwd=folder)  # fmt: skip
    summary = run("play", "--task", TASK, "--agent", TINY, "--num_envs", "4", "--num_steps", "10", cwd=folder)
    dataset = run("collect", "--task", TASK, "--teacher_checkpoint", "pretrained", "--num_envs", "2", "--num_steps",
                  "120", "--output", "tiny.pt", "env.episode_length_s=1", cwd=folder)  # fmt: skip
    return {"onnx": summary["export"]["onnx"], "dataset": str(dataset)}


def test_numpy_step_matches_onnx_along_a_recorded_trajectory(tiny):
    policy = load_onnx_policy(tiny["onnx"])
    assert (policy.rnn_type, policy.obs_dim, policy.action_dim, policy.hidden_dim) == ("GRU", 22, 4, 16)
    assert policy.num_params == 2092  # the README's 2,096 less the 4 action stds, which are not deployed
    recorded = recorded_trajectory(tiny["dataset"], policy)
    assert recorded[0].shape == (120, 22) and recorded[1].sum() >= 1, "the recording crosses an episode boundary"
    for obs, resets in (recorded, synthetic_trajectory(policy, 200)):
        reference = onnx_trajectory(tiny["onnx"], obs, resets)
        assert np.abs(reference).max() > 0.01
        assert np.abs(numpy_trajectory(policy, obs, resets) - reference).max() < 1e-5
    header = header_source(policy)
    for needle in ("#define POLICY_OBS_DIM 22", "#define POLICY_HIDDEN_DIM 16", "POLICY_GRU_W[1056]",
                   "POLICY_OBS_MEAN[22]", "policy_step(const float *obs, float *hidden, float *actions)"):  # fmt: skip
        assert needle in header
    assert "malloc" not in header.replace("no malloc", "")


def test_export_c_script_writes_a_header_whose_compiled_step_matches_onnx(tiny):
    proc = run_script("deploy/export_c.py", "--onnx", tiny["onnx"], "--dataset", tiny["dataset"], cwd=Path.cwd())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout.split("[RESULT] ")[-1])
    exported = Path(tiny["onnx"]).parent
    assert result["files"] == [str(exported / "policy.h"), str(exported / "main.c")]
    assert result["trajectory"]["steps"] == 120 and result["max_abs_difference"]["numpy"] < 1e-5
    if compiler() is None:
        assert result["max_abs_difference"]["c"] is None
        pytest.skip("no C compiler on the PATH: the header was written but not compiled")
    assert result["max_abs_difference"]["c"] < 1e-5


class Student(torch.nn.Module):
    """A hand-made student as RSL-RL's ``as_onnx`` exports it: normalizer, optional GRU/LSTM, an ELU MLP head."""

    def __init__(self, rnn: str | None, head: torch.nn.Module | None = None):
        super().__init__()
        torch.manual_seed(0)
        self.mean, self.std = torch.randn(1, 6), torch.rand(1, 6) + 0.5
        self.rnn = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM, None: lambda *a: None}[rnn](6, 5)
        width = 5 if rnn else 6
        self.mlp = head or torch.nn.Sequential(torch.nn.Linear(width, 7), torch.nn.ELU(), torch.nn.Linear(7, 3))

    def forward(self, obs, *state):
        x = (obs - self.mean) / (self.std + 1e-2)
        if self.rnn is None:
            return self.mlp(x)
        y, state = self.rnn(x.unsqueeze(0), state[0] if len(state) == 1 else state)
        return self.mlp(y.squeeze(0)), *(state if isinstance(state, tuple) else (state,))


def export(model: Student, path: Path) -> str:
    """``model`` to ONNX with distill_lab's input and output names."""
    rnn = model.rnn
    state = ["h_in", "c_in"] if isinstance(rnn, torch.nn.LSTM) else ["h_in"] if rnn is not None else []
    dummy = (torch.zeros(1, 6), *(torch.zeros(rnn.num_layers, 1, 5) for _ in state))
    outputs = ["actions", *(name.replace("_in", "_out") for name in state)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)  # the RNN's input-size checks while tracing
        torch.onnx.export(model.eval(), dummy, str(path), input_names=["obs", *state], output_names=outputs,
                          opset_version=18, dynamo=False)  # fmt: skip
    return str(path)


@pytest.mark.parametrize("rnn", ["lstm", "gru", None])
def test_lstm_gru_and_mlp_graphs_match_onnx_in_numpy_and_c(rnn, tmp_path):
    onnx_path = export(Student(rnn), tmp_path / "policy.onnx")
    policy = load_onnx_policy(onnx_path)
    assert policy.hidden_dim == {"lstm": 10, "gru": 5, None: 0}[rnn]
    obs, resets = synthetic_trajectory(policy, 100)
    obs *= 3  # saturate some gates
    reference = onnx_trajectory(onnx_path, obs, resets)
    assert np.abs(numpy_trajectory(policy, obs, resets) - reference).max() < 1e-5
    cc = compiler()
    if cc is None:
        pytest.skip("no C compiler on the PATH")
    (tmp_path / "policy.h").write_text(header_source(policy))
    assert np.abs(c_trajectory(str(tmp_path / "policy.h"), obs, resets, cc) - reference).max() < 1e-5


def test_large_or_unsupported_policies_are_refused(tiny, tmp_path):
    run("train", "--task", TASK, "--agent", "rsl_rl_dagger_mlp_cfg_entry_point", "--num_envs", "4",
        "--max_iterations", "1", "--teacher_checkpoint", "pretrained", cwd=tmp_path)  # fmt: skip
    mlp = run("play", "--task", TASK, "--agent", "rsl_rl_dagger_mlp_cfg_entry_point", "--num_envs", "4",
              "--num_steps", "10", cwd=tmp_path)  # fmt: skip
    with pytest.raises(
        DistillLabError, match=r"has [0-9,]{6} parameters; a microcontroller export expects at most 5,000"
    ):
        load_onnx_policy(mlp["export"]["onnx"])
    proc = run_script("deploy/export_c.py", "--onnx", tiny["onnx"], "--max_params", "1000", cwd=tmp_path)
    assert_clean_error(proc, r"has 2,092 parameters; a microcontroller export expects at most 1,000")
    head = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Softplus(), torch.nn.Linear(7, 3))
    with pytest.raises(DistillLabError, match=r"\(Softplus\): unsupported layer; a microcontroller export supports"):
        load_onnx_policy(export(Student("gru", head), tmp_path / "softplus.onnx"))
    two_layers = Student("gru")
    two_layers.rnn = torch.nn.GRU(6, 5, num_layers=2)
    with pytest.raises(DistillLabError, match="expected one recurrent layer"):
        load_onnx_policy(export(two_layers, tmp_path / "two_layers.onnx"))
    with pytest.raises(DistillLabError, match="expected an exported policy.onnx"):
        load_onnx_policy(str(tmp_path / "missing.onnx"))


def test_export_command_writes_every_format_from_a_checkpoint_without_playing(tiny, tmp_path):
    checkpoint = str(Path(tiny["onnx"]).parents[1] / "model_0.pt")
    out = tmp_path / "exported"
    result = run("export", "--task", TASK, "--agent", TINY, "--checkpoint", checkpoint, "--formats", "jit", "onnx",
                 "c", "--out", str(out), cwd=tmp_path)  # fmt: skip
    assert {p.name for p in out.iterdir()} >= {"policy.pt", "policy.onnx", "policy.h", "main.c"}
    assert (
        result["max_action_difference"] < 1e-4
        and max(v for v in result["c"]["max_abs_difference"].values() if v is not None) < 1e-4
    )
    assert not (tmp_path / "logs").exists(), "nothing was trained or played into the working folder"
    only = run("export", "--task", TASK, "--agent", TINY, "--checkpoint", checkpoint, "--formats", "onnx",
               "--out", str(tmp_path / "onnx_only"), cwd=tmp_path)  # fmt: skip
    assert "jit" not in only and sorted(p.name for p in (tmp_path / "onnx_only").iterdir()) == ["policy.onnx"]
    refused("export", "--task", TASK, "--checkpoint", "pretrained", "--formats", "c", "--out", str(tmp_path / "big"),
            cwd=tmp_path, match="parameters")  # fmt: skip
