"""Offline behaviour cloning: PER formulas and schedules, OfflineBC on a hand-made dataset, and the scripts end to end
(collect.py records a teacher, train.py clones it, a bad dataset is a clear error)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import TASK, refused, run, scalars
from rsl_rl.models import MLPModel, RNNModel
from rsl_rl.storage import RolloutStorage
from tensordict import TensorDict

import distill_lab  # noqa: F401  (registers the tasks)
from distill_lab.distillation.offline import OfflineBC
from distill_lab.distillation.replay import PrioritizedReplay, schedule_value
from distill_lab.io import DistillLabError, read_manifest
from distill_lab.io.dataset import check_dataset_fits, load_dataset, save_dataset

N, S, OBS, ACT = 8, 60, 5, 2
GAUSS = {"class_name": "GaussianDistribution", "init_std": 0.5}
BC = "rsl_rl_bc_cfg_entry_point"


def test_priorities_and_importance_weights_match_the_formula():
    per = PrioritizedReplay(4, eps=0.0)
    per.update(torch.tensor([0, 1, 2, 3]), torch.tensor([1.0, 2.0, 3.0, 4.0]))
    alpha, beta = 0.5, 0.4
    p = torch.tensor([1.0, 2.0, 3.0, 4.0]) ** alpha
    probs = p / p.sum()
    assert torch.allclose(per.probabilities(alpha), probs)
    ids = torch.tensor([0, 3, 3])
    w = (4 * probs) ** -beta
    assert torch.allclose(per.weights(ids, probs, beta), w[ids] / w.max())
    assert per.weights(torch.tensor([0]), probs, beta).item() == pytest.approx(1.0), "the rarest item has weight 1"
    assert torch.allclose(per.probabilities(0.0), torch.full((4,), 0.25)), "alpha 0 is uniform"


def test_sampling_follows_priorities_and_new_errors_replace_old_ones():
    per = PrioritizedReplay(3, eps=1e-3)
    per.update(torch.tensor([0, 1, 2]), torch.tensor([0.0, 0.0, 10.0]))
    assert torch.allclose(per.priorities, torch.tensor([1e-3, 1e-3, 10.001]))
    ids, weights = per.sample(1000, alpha=1.0, beta=1.0, generator=torch.Generator().manual_seed(0))
    assert (ids == 2).float().mean() > 0.99
    assert torch.all(weights <= 1.0)
    per.update(torch.tensor([2]), torch.tensor([-0.5]))
    assert per.priorities[2].item() == pytest.approx(0.501), "priority = |error| + eps"
    per = PrioritizedReplay(4, eps=0.0)
    per.update(torch.arange(4), torch.tensor([1.0, 2.0, 3.0, 4.0]))
    ids, _ = per.sample(100_000, alpha=1.0, beta=0.0, generator=torch.Generator().manual_seed(0))
    freq = torch.bincount(ids, minlength=4) / 100_000
    assert torch.allclose(freq, torch.tensor([0.1, 0.2, 0.3, 0.4]), atol=0.01), "drawn in proportion to P(i)"


def test_alpha_beta_schedules():
    lin = {"kind": "linear", "start": 0.4, "end": 1.0, "iterations": 10}
    assert [schedule_value(lin, i) for i in (0, 5, 10, 20)] == pytest.approx([0.4, 0.7, 1.0, 1.0])
    const = {"kind": "constant", "start": 0.6, "end": 0.0, "iterations": 10}
    assert schedule_value(const, 7, 0.1) == 0.6
    dyn = {"kind": "dynamic", "start": 0.4, "end": 1.0, "iterations": 0}
    assert schedule_value(dyn, 3, None) == pytest.approx(0.4), "no loss yet: start"
    assert schedule_value(dyn, 3, 0.5) == pytest.approx(0.7), "loss halved: half-way"
    assert schedule_value(dyn, 3, 1.5) == pytest.approx(0.4) and schedule_value(dyn, 3, 0.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown schedule kind"):
        schedule_value({"kind": "cosine", "start": 0, "end": 1}, 0)


def _dataset(path) -> str:
    """A teacher whose action is a fixed function of its (privileged) obs; episodes end every 7 steps."""
    torch.manual_seed(0)
    policy = torch.randn(S, N, OBS)
    teacher = torch.cat([policy, policy[..., :2].square()], -1)
    actions = torch.tanh(teacher @ torch.randn(OBS + 2, ACT))
    dones = torch.zeros(S, N, dtype=torch.bool)
    dones[6::7] = True
    meta = {"task": "hand-made", "obs_groups": {"policy": {"terms": ["x"], "dim": OBS}}}
    save_dataset(str(path), {"obs": {"policy": policy, "teacher": teacher}, "actions": actions,
                             "rewards": torch.zeros(S, N), "dones": dones, "teacher_std": torch.full((ACT,), 0.2),
                             "meta": meta})  # fmt: skip
    return str(path)


def _make(path, recurrent: bool, **kwargs) -> OfflineBC:
    torch.manual_seed(0)
    obs = TensorDict({"policy": torch.zeros(N, OBS), "teacher": torch.zeros(N, OBS + 2)}, batch_size=[N])
    groups = {"student": ["policy"], "teacher": ["teacher"]}
    kw = {"hidden_dims": [32], "activation": "elu", "distribution_cfg": GAUSS, "obs_normalization": True}
    student = (RNNModel(obs, groups, "student", ACT, rnn_type="gru", rnn_hidden_dim=16, **kw) if recurrent
               else MLPModel(obs, groups, "student", ACT, **kw))  # fmt: skip
    teacher = MLPModel(obs, groups, "teacher", ACT, hidden_dims=[16], distribution_cfg=GAUSS)
    storage = RolloutStorage("distillation", N, 24, obs, [ACT], "cpu")
    return OfflineBC(student, teacher, storage, dataset_path=path, device="cpu", learning_rate=3e-3,
                     batch_size=32, sequence_length=8, burn_in=4, **kwargs)  # fmt: skip


@pytest.mark.parametrize("recurrent", [False, True])
@pytest.mark.parametrize("replay", ["uniform", "prioritized"])
def test_offline_bc_loss_falls_and_teacher_stays(tmp_path, recurrent, replay):
    alg = _make(_dataset(tmp_path / "d.pt"), recurrent, replay=replay, offline_iterations=30)
    teacher = {k: v.clone() for k, v in alg.teacher.state_dict().items()}
    losses = [alg.update()["behavior"] for _ in range(30)]
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:5]) / 5, losses
    assert all(torch.equal(v, alg.teacher.state_dict()[k]) for k, v in teacher.items())
    items = (S - 12) // 8 + 1 if recurrent else S
    assert len(alg.sampler) == items * N, "transitions, or (burn-in + sequence) windows every sequence_length steps"
    if replay == "prioritized":
        assert (alg.sampler.priorities != 1.0).any(), "priorities follow the errors"
        saved = alg.save()["distill_state"]
        assert torch.equal(saved["priorities"], alg.sampler.priorities)


def test_resume_restores_priorities_and_remembers_an_untrained_teacher(tmp_path):
    path = _dataset(tmp_path / "d.pt")
    alg = _make(path, recurrent=False, replay="prioritized")
    for _ in range(3):
        alg.update()
    resumed = _make(path, recurrent=False, replay="prioritized")
    assert resumed.load(alg.save(), None, True) is True
    assert resumed.num_updates == 3 and resumed.teacher_loaded is False, "pure offline BC never loaded a teacher"
    resumed.load_dataset()
    assert torch.equal(resumed.sampler.priorities, alg.sampler.priorities)


def test_recurrent_items_train_only_steps_with_built_memory(tmp_path):
    alg = _make(_dataset(tmp_path / "d.pt"), recurrent=True)
    alg.load_dataset()
    step = []
    alg._loss = lambda mean, std, target: step.append(1) or torch.full((target.shape[0],), len(step) - 1.0)
    # the loss of window step t is t; windows start every 8 steps (4 burn-in + 8 trained), episodes end every 7
    losses = alg.item_losses(torch.arange(7) * N)
    # start 0: all 12 steps (memory exact); then steps 4..11; an episode ending at offset 2/1/0 trains from 3/2/1
    assert losses.tolist() == pytest.approx([5.5, 7.5, 7.5, 7.5, 7.0, 6.5, 6.0])


def test_dataset_that_does_not_fit_is_refused(tmp_path):
    path = _dataset(tmp_path / "d.pt")
    data = load_dataset(path)
    with pytest.raises(DistillLabError, match=r"obs group 'policy' expected 7 dims \(the env's\), found 5"):
        check_dataset_fits(data, ["policy"], {"policy": 7}, ACT, path)
    with pytest.raises(DistillLabError, match="no obs group 'proprio'.*policy, teacher"):
        check_dataset_fits(data, ["proprio"], {"proprio": 5}, ACT, path)
    with pytest.raises(DistillLabError, match="dataset not found"):
        load_dataset(str(tmp_path / "none.pt"))
    torch.save({"x": torch.zeros(1)}, tmp_path / "foreign.pt")
    with pytest.raises(DistillLabError, match="not a distill_lab dataset"):
        load_dataset(str(tmp_path / "foreign.pt"))


@pytest.fixture(scope="module")
def dataset(workdir, teacher_run):
    """The 2-iteration teacher recorded on 8 envs for 60 steps, with 0.5 s episodes so that several end."""
    path = run("collect", "--task", TASK, "--load_run", teacher_run.name, "--num_envs", "8", "--num_steps", "60",
               "--output", "data/teacher.pt", "env.episode_length_s=0.5", cwd=workdir)  # fmt: skip
    assert path == str(workdir / "data" / "teacher.pt")
    return Path(path)


def test_collect_writes_all_groups_and_episode_boundaries(dataset, teacher_run):
    data = torch.load(dataset, weights_only=True)
    assert set(data["obs"]) == {"policy", "teacher", "critic"}
    assert data["obs"]["policy"].shape == (60, 8, 22) and data["obs"]["teacher"].shape == (60, 8, 36)
    assert data["actions"].shape == (60, 8, 4) and data["rewards"].shape == (60, 8)
    assert data["dones"].sum() >= 8, "0.5 s episodes end within 60 steps in every env"
    assert data["time_outs"].sum() > 0 and not (data["time_outs"] & ~data["dones"]).any()
    meta = data["meta"]
    assert meta["task"] == TASK and meta["teacher_checkpoint"] == str(teacher_run / "model_1.pt") and meta["commit"]
    assert meta["overrides"] == ["env.episode_length_s=0.5"]
    assert meta["obs_groups"]["policy"]["terms"][0] == "target_pos_error" and meta["obs_groups"]["policy"]["dim"] == 22
    assert not list(dataset.parent.glob("*.tmp")), "written atomically"


def test_bc_from_the_dataset_trains_without_env_steps_and_its_loss_falls(workdir, dataset):
    run_dir = Path(run("train", "--task", TASK, "--agent", BC, "--num_envs", "4", "--max_iterations", "8",
                       "--dataset", str(dataset), "agent.algorithm.burn_in=8", "agent.algorithm.sequence_length=16",
                       cwd=workdir))  # fmt: skip
    losses = scalars(run_dir, "Loss/behavior")
    assert len(losses) == 8 and losses[-1] < 0.5 * losses[0], losses
    manifest = read_manifest(run_dir)
    assert manifest["latest"]["checkpoint"] == "model_7.pt" and manifest["latest"]["total_env_steps"] == 0
    ckpt = torch.load(run_dir / "model_7.pt", weights_only=True)
    assert "student_state_dict" in ckpt and ckpt["distill_state"]["num_updates"] == 8
    teacher_path = torch.load(dataset, weights_only=True)["meta"]["teacher_checkpoint"]
    teacher = torch.load(teacher_path, weights_only=True)["actor_state_dict"]
    assert all(torch.equal(v, ckpt["teacher_state_dict"][k]) for k, v in teacher.items()), "the dataset's teacher"


def test_bad_dataset_is_a_clear_error(workdir, dataset):
    base = ["--task", TASK, "--agent", BC, "--num_envs", "4", "--max_iterations", "1"]
    data = torch.load(dataset, weights_only=True)
    data["obs"]["policy"] = data["obs"]["policy"][..., :19]
    save_dataset(str(workdir / "data" / "narrow.pt"), {k: v for k, v in data.items() if k != "format"})
    refused("train", *base, "--dataset", str(workdir / "data" / "narrow.pt"), cwd=workdir,
            match=r"obs group 'policy' expected 22 dims \(the env's\), found 19")  # fmt: skip
    refused("train", *base, "agent.algorithm.dataset_path=no/such.pt", cwd=workdir, match="dataset not found")
    refused("train", "--task", TASK, "--dataset", str(dataset), cwd=workdir, match="--dataset is for offline BC")


@pytest.mark.parametrize("task", [TASK, "blind_rl"])
def test_bc_entry_point_on_both_tasks(task):
    from isaaclab_tasks.utils import load_cfg_from_registry

    cfg = load_cfg_from_registry(task, BC)
    assert cfg.class_name == "DistillationRunner"
    assert cfg.algorithm.class_name.endswith(":OfflineBC") and cfg.algorithm.dagger_rounds == 0
    actor = load_cfg_from_registry(task, "rsl_rl_cfg_entry_point").actor
    for field in ("hidden_dims", "activation", "obs_normalization", "distribution_cfg"):
        assert getattr(cfg.teacher, field) == getattr(actor, field), field
