"""Offline behaviour cloning from a recorded teacher dataset, with uniform or prioritized replay, then optional DAgger.

:class:`OfflineBC` subclasses the project's :class:`~distill_lab.distillation.dagger.DAgger`, so RSL-RL's
construction path, checkpoint format (``student_state_dict``, ...) and exporters stay as they are. Choose it with
``algorithm.class_name = "distill_lab.distillation.offline:OfflineBC"`` under RSL-RL's ``DistillationRunner``.
distill_lab's runner (:mod:`distill_lab.runners.runner`) runs the offline iterations without env steps
(:meth:`OfflineBC.split_iterations`); RSL-RL's own runner (Isaac Lab's CLI) collects a rollout every iteration anyway,
which the offline iterations ignore.

* Items: a feed-forward student trains on single transitions; a recurrent student on sequences of
  ``sequence_length`` steps of one env, preceded by ``burn_in`` steps that build its memory (zero at the start),
  with the memory reset where an episode ended and backpropagation truncated to ``gradient_length`` steps, as in
  :class:`~distill_lab.distillation.dagger.DAgger`.
* Replay: uniform, or prioritized by each item's behaviour loss (per transition, or per sequence for a recurrent
  student), with importance weights; see :mod:`~distill_lab.distillation.replay`.
* After ``offline_iterations``, ``dagger_rounds`` iterations of the inherited DAgger follow (they need a teacher:
  ``--teacher_checkpoint``, else the one the dataset's metadata names, if its file is there and fits).
"""

from __future__ import annotations

import os

import torch
from tensordict import TensorDict

from distill_lab.io import DistillLabError, teacher_spec
from distill_lab.io.dataset import check_dataset_fits, load_dataset

from .dagger import DAgger
from .replay import SCHEDULE_KINDS, PrioritizedReplay, UniformReplay, schedule_value
from .schedules import teacher_beta


class OfflineBC(DAgger):
    """Behaviour cloning on a teacher dataset, then optional DAgger rounds (see the module docstring)."""

    def __init__(
        self,
        student,
        teacher,
        storage,
        dataset_path: str = "",
        offline_iterations: int = 200,
        dagger_rounds: int = 0,
        batch_size: int = 256,
        sequence_length: int = 24,
        burn_in: int = 24,
        replay: str = "uniform",
        priority_alpha: dict | None = None,
        priority_beta: dict | None = None,
        priority_eps: float = 1.0e-3,
        **kwargs,
    ) -> None:
        if replay not in ("uniform", "prioritized"):
            raise ValueError(f"replay must be 'uniform' or 'prioritized', got '{replay}'")
        self.priority_alpha = dict(priority_alpha or {"kind": "constant", "start": 0.6, "end": 0.6})
        self.priority_beta = dict(priority_beta or {"kind": "linear", "start": 0.4, "end": 1.0, "iterations": 200})
        for name, sched in (("priority_alpha", self.priority_alpha), ("priority_beta", self.priority_beta)):
            if sched["kind"] not in SCHEDULE_KINDS:
                raise ValueError(f"{name}.kind must be one of {SCHEDULE_KINDS}, got '{sched['kind']}'")
        self.offline_iterations = offline_iterations
        """Leading iterations trained on the dataset only."""
        super().__init__(student, teacher, storage, **kwargs)
        self.dataset_path = dataset_path
        self.dagger_rounds = dagger_rounds
        self.batch_size = batch_size
        self.sequence_length = sequence_length
        self.burn_in = burn_in
        self.replay = replay
        self.priority_eps = priority_eps
        self.data: dict | None = None
        """The dataset's student observations, teacher actions and dones on the training device (once loaded)."""
        self.sampler: PrioritizedReplay | UniformReplay | None = None
        self._env_obs_dims = {g: storage.observations[g].shape[-1] for g in storage.observations.keys()}
        self._action_dim = storage.privileged_actions.shape[-1]
        self._first_loss: float | None = None
        self._last_loss: float | None = None
        self._saved_priorities: torch.Tensor | None = None

    @property
    def offline(self) -> bool:
        """Whether the next update trains on the dataset (else it is a DAgger round)."""
        return self.num_updates < self.offline_iterations

    def split_iterations(self, num_iterations: int) -> tuple[int, int]:
        """Of the next ``num_iterations``, how many train on the dataset without env steps, and how many DAgger rounds
        follow (the run ends after ``offline_iterations + dagger_rounds`` in all)."""
        offline = min(num_iterations, max(0, self.offline_iterations - self.num_updates))
        left = self.offline_iterations + self.dagger_rounds - self.num_updates - offline
        return offline, max(0, min(num_iterations - offline, left))

    def begin_learning(self, end_iteration: int) -> None:
        """Load and check the dataset before any work (its teacher may come with it)."""
        super().begin_learning(end_iteration)
        if self.offline and self.data is None:
            self.load_dataset()

    @property
    def beta(self) -> float:
        """DAgger's teacher-acts probability, with its schedule counted from the first DAgger round."""
        rounds = max(0, self.num_updates - self.offline_iterations)
        return teacher_beta(rounds, self.teacher_forcing_iterations, self.beta_decay_iterations, self.final_beta)

    def load_dataset(self) -> None:
        """Read and check the dataset, build the replay, and fit the student's normalizer on it (fresh runs). With
        several processes each takes its shard of the recorded envs (every ``world_size``-th, from its rank)."""
        raw = load_dataset(self.dataset_path)
        groups = list(self.student.obs_groups)
        check_dataset_fits(raw, groups, self._env_obs_dims, self._action_dim, self.dataset_path)
        if self.loss_type == "kl" and "teacher_std" not in raw:
            raise DistillLabError(f"loss_type 'kl' needs the teacher's std, which dataset {self.dataset_path} lacks.")
        shard = slice(self.gpu_global_rank, None, self.gpu_world_size)
        actions = raw["actions"][:, shard].to(self.device, torch.float32)
        num_steps, num_envs = actions.shape[:2]
        obs = TensorDict(
            {g: raw["obs"][g][:, shard].to(self.device, torch.float32) for g in groups},
            batch_size=[num_steps, num_envs],
        )
        self.data = {"obs": obs, "actions": actions, "dones": raw["dones"][:, shard].to(self.device).bool()}
        if not self.teacher_loaded:
            self._load_dataset_teacher(raw["meta"].get("teacher_checkpoint"))
        if "teacher_std" in raw:
            self._teacher_std = raw["teacher_std"].to(self.device, torch.float32)
        if self.student.is_recurrent:
            window = self.burn_in + self.sequence_length
            if num_steps < window:
                raise DistillLabError(
                    f"dataset {self.dataset_path} has {num_steps} steps per env, fewer than burn_in + sequence_length "
                    f"= {window}; record more steps (collect.py --num_steps) or shorten them."
                )
            self._starts = torch.arange(0, num_steps - window + 1, self.sequence_length, device=self.device)
            num_items = len(self._starts) * num_envs
        else:
            num_items = num_steps * num_envs
        if self.replay == "prioritized":
            self.sampler = PrioritizedReplay(num_items, self.priority_eps, self.device)
            if self._saved_priorities is not None and len(self._saved_priorities) == num_items:
                self.sampler.priorities = self._saved_priorities.to(self.device)
        else:
            self.sampler = UniformReplay(num_items, self.device)
        if self.num_updates == 0:
            self.student.update_normalization(obs.flatten(0, 1))

    def _load_dataset_teacher(self, path: str | None) -> None:
        """Load the teacher the dataset was recorded with, if its file is still there and fits the teacher cfg, so the
        checkpoint holds the real teacher (for evaluation and DAgger rounds)."""
        if not path or not os.path.isfile(path):
            return
        try:
            self.load_teachers([teacher_spec(path)])
        except DistillLabError as err:
            print(f"[WARN] Not loading the dataset's teacher: {err}")
            return
        print(f"[INFO] Loading teacher from the dataset's metadata: {path}")

    def update(self) -> dict[str, float]:
        """One offline iteration (``num_learning_epochs * num_mini_batches`` gradient steps), or a DAgger round."""
        if not self.offline:
            return super().update()
        if self.data is None:
            self.load_dataset()
        ratio = None if self._first_loss is None else self._last_loss / max(self._first_loss, 1e-12)
        alpha = schedule_value(self.priority_alpha, self.num_updates, ratio)
        beta = schedule_value(self.priority_beta, self.num_updates, ratio)
        losses = []
        for _ in range(self.num_learning_epochs * self.num_mini_batches):
            with self.perf.timing("buffer_sample"):
                ids, weights = self.sampler.sample(self.batch_size, alpha, beta)
            with self.perf.timing("update_forward"):
                errors = self.item_losses(ids)
                loss = (weights * errors).mean()
            losses.append(self._gradient_step(loss, "dataset's"))
            self.sampler.update(ids, errors)
        self.student.reset()  # the batches' memory is not a rollout's
        self.storage.clear()  # a runner that steps the env anyway (RSL-RL's) filled it; offline iterations ignore it
        mean = sum(losses) / len(losses)
        if self._first_loss is None:
            self._first_loss = mean
        self._last_loss = mean
        self.num_updates += 1
        if self.replay == "uniform":
            return {"behavior": mean}
        return {"behavior": mean, "priority_alpha": alpha, "priority_beta": beta}

    def item_losses(self, ids: torch.Tensor) -> torch.Tensor:
        """Behaviour loss of each item in ``ids``: a transition, or a sequence's mean over its trained steps."""
        obs, actions = self.data["obs"], self.data["actions"]
        num_envs = actions.shape[1]
        if not self.student.is_recurrent:
            steps, envs = ids // num_envs, ids % num_envs
            mean, std = self._student_output(obs[steps, envs])
            return self._loss(mean, std, actions[steps, envs])
        starts, envs = self._starts[ids // num_envs], ids % num_envs
        window = self.burn_in + self.sequence_length
        offsets = torch.arange(window, device=self.device).unsqueeze(1)
        steps, envs = starts.unsqueeze(0) + offsets, envs.unsqueeze(0).expand(window, -1)
        seq_obs, target, dones = obs[steps, envs], actions[steps, envs], self.data["dones"][steps, envs]
        # a step is trained when the memory before it is exact (dataset start, or an episode began) or built up
        episode_began = (dones.long().cumsum(0) - dones.long()) > 0
        trained = (offsets >= self.burn_in) | (starts == 0).unsqueeze(0) | episode_began
        self.student.reset()
        step_losses = []
        for t in range(window):
            mean, std = self._student_output(seq_obs[t])
            step_losses.append(self._loss(mean, std, target[t]))
            self._advance_memory(dones[t], t)
        mask = trained.float()
        return (torch.stack(step_losses) * mask).sum(0) / mask.sum(0)

    def save(self) -> dict:
        saved = super().save()
        state = saved["distill_state"]
        state["first_loss"], state["last_loss"] = self._first_loss, self._last_loss
        state["teacher_loaded"] = bool(self.teacher_loaded)  # pure offline runs save an untrained teacher
        if isinstance(self.sampler, PrioritizedReplay):
            state["priorities"] = self.sampler.priorities.cpu()
        return saved

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        load_iteration = super().load(loaded_dict, load_cfg, strict)
        state = loaded_dict.get("distill_state", {})
        if load_iteration and state:
            self._first_loss, self._last_loss = state.get("first_loss"), state.get("last_loss")
            self._saved_priorities = state.get("priorities")
            self.teacher_loaded = state.get("teacher_loaded", True)
        return load_iteration
