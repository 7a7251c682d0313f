"""Offline behaviour cloning from a recorded teacher dataset, with uniform or prioritized replay, then optional DAgger.

:class:`OfflineBC` subclasses the project's :class:`~distill_lab.distillation.dagger.DAgger`, so RSL-RL's
construction path, checkpoint format (``student_state_dict``, ...) and exporters stay as they are. Choose it with
``algorithm.class_name = "distill_lab.distillation.offline:OfflineBC"`` and run it with
:class:`DistillLabOfflineRunner`, which skips the env during the offline iterations.

* Items: a feed-forward student trains on single transitions; a recurrent student on sequences of
  ``sequence_length`` steps of one env, preceded by ``burn_in`` steps that build its memory (zero at the start),
  with the memory reset where an episode ended (truncated BPTT, as in :mod:`~distill_lab.distillation.buffer`).
* Replay: uniform, or prioritized by each item's behaviour loss (per transition, or per sequence for a recurrent
  student), with importance weights; see :mod:`~distill_lab.distillation.replay`.
* After ``offline_iterations``, ``dagger_rounds`` iterations of the inherited DAgger follow (they need a teacher:
  ``--teacher_checkpoint``, else the one the dataset's metadata names, if its file is there and fits).
"""

from __future__ import annotations

import os
import time

import torch
import torch.nn as nn
from rsl_rl.utils import check_nan
from tensordict import TensorDict

from distill_lab.utils.checkpoints import check_state_dict, load_checkpoint, teacher_state_dict
from distill_lab.utils.errors import DistillLabError

from .dagger import DAgger
from .dataset import check_dataset_fits, load_dataset
from .replay import SCHEDULE_KINDS, PrioritizedReplay, UniformReplay, schedule_value
from .runners import DistillLabDistillationRunner
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

    @property
    def beta(self) -> float:
        """DAgger's teacher-acts probability, with its schedule counted from the first DAgger round."""
        rounds = max(0, self.num_updates - self.offline_iterations)
        return teacher_beta(rounds, self.teacher_forcing_iterations, self.beta_decay_iterations, self.final_beta)

    def load_dataset(self) -> None:
        """Read and check the dataset, build the replay, and fit the student's normalizer on it (fresh runs)."""
        raw = load_dataset(self.dataset_path)
        groups = list(self.student.obs_groups)
        check_dataset_fits(raw, groups, self._env_obs_dims, self._action_dim, self.dataset_path)
        if self.loss_type == "kl" and "teacher_std" not in raw:
            raise DistillLabError(f"loss_type 'kl' needs the teacher's std, which dataset {self.dataset_path} lacks.")
        actions = raw["actions"].to(self.device, torch.float32)
        num_steps, num_envs = actions.shape[:2]
        obs = TensorDict(
            {g: raw["obs"][g].to(self.device, torch.float32) for g in groups}, batch_size=[num_steps, num_envs]
        )
        self.data = {"obs": obs, "actions": actions, "dones": raw["dones"].to(self.device).bool()}
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
            state = teacher_state_dict(load_checkpoint(path), path)
            check_state_dict(self.teacher, state, f"the dataset's teacher {path}")
        except DistillLabError as err:
            print(f"[WARN] Not loading the dataset's teacher: {err}")
            return
        self.teacher.load_state_dict(state)
        self.teacher_loaded = True
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
            ids, weights = self.sampler.sample(self.batch_size, alpha, beta)
            errors = self.item_losses(ids)
            loss = (weights * errors).mean()
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"behaviour loss is {loss.item()} at update {self.num_updates}: the dataset's student observations "
                    "or teacher actions hold NaN/Inf; the student was not updated with it."
                )
            self.optimizer.zero_grad()
            loss.backward()
            if self.max_grad_norm:
                nn.utils.clip_grad_norm_(self.student.parameters(), self.max_grad_norm)
            self.optimizer.step()
            self.sampler.update(ids, errors)
            losses.append(loss.item())
        self.student.reset()  # the batches' memory is not a rollout's
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
            keep = (~dones[t]).float().view(1, -1, 1)
            hidden = self.student.get_hidden_state()
            self.student.reset(
                hidden_state=tuple(h * keep for h in hidden) if isinstance(hidden, tuple) else hidden * keep
            )
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


class DistillLabOfflineRunner(DistillLabDistillationRunner):
    """Runner of :class:`OfflineBC`: offline iterations without env steps, then DAgger rounds with rollouts.

    The run ends after ``offline_iterations + dagger_rounds`` iterations, or earlier at ``max_iterations``.
    Checkpoints, logging and resume behave as in :class:`DistillLabDistillationRunner`.
    """

    alg: OfflineBC

    def learn(self, num_learning_iterations: int, init_at_random_ep_len: bool = False) -> None:
        alg = self.alg
        start_it = self.current_learning_iteration
        total_it = min(start_it + num_learning_iterations, alg.offline_iterations + alg.dagger_rounds)
        if alg.offline and alg.data is None:
            alg.load_dataset()
        if total_it > alg.offline_iterations and not alg.teacher_loaded:
            raise DistillLabError(
                f"{alg.dagger_rounds} DAgger round(s) after offline BC need a teacher, and the dataset's is not "
                "available: give --teacher_checkpoint PATH, or set agent.algorithm.dagger_rounds=0 for pure offline BC."
            )
        n_offline = max(0, min(total_it, alg.offline_iterations) - start_it)
        print(
            f"[INFO] Offline BC: {n_offline} offline iteration(s) on {alg.dataset_path or 'no dataset'}, then "
            f"{total_it - start_it - n_offline} DAgger round(s)."
        )
        self.logger.init_logging_writer()
        alg.train_mode()
        obs = None
        for it in range(start_it, total_it):
            start = time.time()
            offline = alg.offline
            if offline:
                collect_time = 0.0
            else:
                if obs is None:
                    if init_at_random_ep_len:
                        self.env.episode_length_buf = torch.randint_like(
                            self.env.episode_length_buf, high=int(self.env.max_episode_length)
                        )
                    obs = self.env.get_observations().to(self.device)
                obs = self._rollout(obs)
                collect_time = time.time() - start
                start = time.time()
            loss_dict = alg.update()
            learn_time = time.time() - start
            self.current_learning_iteration = it
            num_envs = self.logger.num_envs
            if offline:
                self.logger.num_envs = 0  # no env steps were taken
            self.logger.log(
                it=it,
                start_it=start_it,
                total_it=total_it,
                collect_time=collect_time,
                learn_time=learn_time,
                loss_dict=loss_dict,
                learning_rate=alg.learning_rate,
                action_std=alg.get_policy().output_std,
                rnd_weight=None,
            )
            self.logger.num_envs = num_envs
            if self.logger.writer is not None and it % self.cfg["save_interval"] == 0:
                self.save(os.path.join(self.logger.log_dir, f"model_{it}.pt"))
        if self.logger.writer is not None:
            self.save(os.path.join(self.logger.log_dir, f"model_{self.current_learning_iteration}.pt"))
            self.logger.stop_logging_writer()

    @torch.inference_mode()
    def _rollout(self, obs: TensorDict) -> TensorDict:
        """One DAgger rollout of ``num_steps_per_env`` steps, as in ``OnPolicyRunner.learn``; returns the last obs."""
        for _ in range(self.cfg["num_steps_per_env"]):
            actions = self.alg.act(obs)
            obs, rewards, dones, extras = self.env.step(actions.to(self.env.device))
            if self.cfg.get("check_for_nan", True):
                check_nan(obs, rewards, dones)
            obs, rewards, dones = obs.to(self.device), rewards.to(self.device), dones.to(self.device)
            self.alg.process_env_step(obs, rewards, dones, extras)
            self.logger.process_env_step(rewards, dones, extras, None)
        return obs
