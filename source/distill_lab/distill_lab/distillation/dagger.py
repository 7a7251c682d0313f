"""DAgger for RSL-RL: teacher forcing (beta-mixing), an aggregated buffer, MSE/Huber/KL/NLL losses, and fixes.

A drop-in replacement for ``rsl_rl.algorithms.Distillation``: choose it with
``algorithm.class_name = "distill_lab.distillation.dagger:DAgger"``. It keeps RSL-RL's construction path,
checkpoint format (plus a ``distill_state`` entry) and exporters. Over stock it adds:

* beta-mixing: with probability ``beta`` an env (or a step) follows the teacher's action; beta is 1 for the first
  ``teacher_forcing_iterations`` and then decays linearly to ``final_beta`` over ``beta_decay_iterations``;
* aggregation: each rollout's (student observation, teacher action) pairs go into a buffer of
  ``buffer_capacity`` rollouts that updates sample from; recurrent students replay whole sequences from their
  stored start state, resetting memory at episode ends; backpropagation through time is truncated to
  ``gradient_length`` steps (the memory is detached at the end of each window, so no gradient flows past it);
* losses ``kl`` and ``nll`` besides ``mse`` and ``huber`` (see :mod:`distill_lab.distillation.losses`);
* a learning rate that stays fixed or falls linearly to ``final_learning_rate`` over the run or its last part;
* a fix of rsl-rl-lib 5.5.1: a recurrent teacher keeps its memory across updates;
* ``asynchronous``: an iteration's gradient steps run in a worker thread while the envs collect the next rollout with
  a copy of the student at most ``max_staleness`` updates old (:mod:`distill_lab.distillation.asynchronous`);
* logging (TensorBoard / W&B, under ``Loss/``): the behaviour loss, beta, the student's mean absolute action error
  against the teacher on the rollout's states, and, while beta-mixing per env, the mean episode return of the envs
  the student drove and of those the teacher drove; asynchronous runs also log ``staleness`` and ``staleness_max``
  (and their losses one iteration late: an iteration's gradient steps end during the next rollout).
"""

from __future__ import annotations

import copy
import functools

import torch
import torch.nn as nn
from rsl_rl.algorithms import Distillation
from tensordict import TensorDict

from distill_lab.io import DistillLabError

from .asynchronous import AsyncLearner
from .buffer import DAggerBuffer, map_hidden
from .interface import DistillLabAlgorithm
from .losses import LOSSES, behavior_loss
from .perf import PerfCounters
from .schedules import teacher_beta


class DAgger(DistillLabAlgorithm, Distillation):
    """DAgger with teacher forcing and aggregation (see the module docstring)."""

    def __init__(
        self,
        student,
        teacher,
        storage,
        teacher_forcing_iterations: int = 0,
        beta_decay_iterations: int = 0,
        final_beta: float = 0.0,
        beta_mixing: str = "per_env",
        buffer_capacity: int = 1,
        num_mini_batches: int = 4,
        loss_type: str = "mse",
        learning_rate_schedule: str = "fixed",
        final_learning_rate: float = 1.0e-4,
        learning_rate_decay_fraction: float = 1.0,
        asynchronous: bool = False,
        max_staleness: int = 8,
        **kwargs,
    ) -> None:
        if max_staleness < 0:
            raise DistillLabError(f"max_staleness must be 0 or more gradient updates, got {max_staleness}")
        if loss_type not in LOSSES:
            raise ValueError(f"unknown loss_type '{loss_type}': expected one of {LOSSES}")
        if student.distribution is None:
            raise ValueError(
                "DAgger's student needs a distribution_cfg (it explores with it, and RSL-RL's runner logs its action "
                "std every iteration): e.g. distribution_cfg=RslRlMLPModelCfg.GaussianDistributionCfg(init_std=0.1)"
            )
        if beta_mixing not in ("per_env", "per_step"):
            raise ValueError(f"beta_mixing must be 'per_env' or 'per_step', got '{beta_mixing}'")
        super().__init__(student, teacher, storage, loss_type="mse", **kwargs)
        if type(self.optimizer) is torch.optim.Adam:  # the same Adam in one kernel per step, not one per parameter
            self.optimizer = torch.optim.Adam(self.student.parameters(), lr=self.learning_rate, fused=True)
        self.loss_type = loss_type
        self.teacher_forcing_iterations = teacher_forcing_iterations
        self.beta_decay_iterations = beta_decay_iterations
        self.final_beta = final_beta
        self.beta_mixing = beta_mixing
        self.num_mini_batches = num_mini_batches
        self.buffer = DAggerBuffer(buffer_capacity, self.device)
        if learning_rate_schedule not in ("fixed", "linear"):
            raise ValueError(f"learning_rate_schedule must be 'fixed' or 'linear', got '{learning_rate_schedule}'")
        if not 0.0 < learning_rate_decay_fraction <= 1.0:
            raise ValueError(f"learning_rate_decay_fraction must be in (0, 1], got {learning_rate_decay_fraction}")
        fraction = learning_rate_decay_fraction
        self.lr_schedule = (learning_rate_schedule, self.learning_rate, final_learning_rate, fraction)
        """Schedule name, first and final learning rate, and the fraction of the run it falls over."""
        self.total_iterations = 0
        """Iterations of the whole run (:meth:`begin_learning` sets it); a ``linear`` schedule ends there."""
        self.teacher_acts = torch.zeros(storage.num_envs, dtype=torch.bool, device=self.device)
        """Which envs follow the teacher (per-env mixing), resampled when their episode ends."""
        self._student_groups = None
        self._rollout_start_hidden = None
        self._teacher_std = None
        self._resample_teacher_acts(torch.ones_like(self.teacher_acts))
        self._episode_return = torch.zeros(storage.num_envs, device=self.device)
        self._stats = {"action_error": [], "student_return": [], "teacher_return": []}
        """What the next update logs besides its loss: per-step action errors and finished episodes' returns."""
        self.perf = PerfCounters()
        """Seconds spent acting, labelling, in the buffer and in the update's parts (:meth:`perf_counters`)."""
        self.learning_iteration = 0
        """The iteration whose gradient steps are being taken (what the loss's schedules read): ``num_updates`` when
        they began, also while an asynchronous learner takes them during the next rollout."""
        self.learner = None
        """The asynchronous learner (:class:`~distill_lab.distillation.asynchronous.AsyncLearner`), or None."""
        self.staleness = {"env_steps": 0, "mean": 0.0, "max": 0, "bound": max_staleness}
        """An asynchronous run's staleness over the env steps of this process so far [gradient updates]: what the
        manifest records (:meth:`run_stats`)."""
        self._actor = None
        if asynchronous:
            if self.is_multi_gpu:
                raise DistillLabError(
                    "asynchronous DAgger runs in one process; with several (--distributed) set "
                    "agent.algorithm.asynchronous=false"
                )
            self._actor = copy.deepcopy(student)
            self.learner = AsyncLearner(student, max_staleness, self.device, self.perf)

    @property
    def beta(self) -> float:
        """Probability that the teacher acts, at the current iteration."""
        return teacher_beta(
            self.num_updates, self.teacher_forcing_iterations, self.beta_decay_iterations, self.final_beta
        )

    def begin_learning(self, end_iteration: int) -> None:
        """A ``linear`` learning-rate schedule ends with the run."""
        self.total_iterations = end_iteration

    @property
    def acting(self):
        """The student that drives the envs: the student itself, or its copy that an asynchronous learner refreshes."""
        return self.student if self.learner is None else self._actor

    def finish_updates(self) -> None:
        """Wait for the gradient steps of an asynchronous learner in flight (re-raising its error)."""
        if self.learner is not None:
            self.learner.wait()

    def end_learning(self) -> None:
        """Finish the updates in flight and end an asynchronous learner's thread."""
        if self.learner is not None:
            try:
                self.learner.wait()
            finally:
                self.learner.stop()

    def run_stats(self) -> dict:
        """An asynchronous run's ``staleness`` (:attr:`staleness`); nothing for a synchronous one."""
        return {} if self.learner is None else {"staleness": dict(self.staleness)}

    def perf_counters(self) -> dict[str, float]:
        """Seconds so far in ``student_act`` and ``teacher_label`` (the two forward passes of every env step),
        ``process_step`` (rollout storage, memory resets, episode statistics), ``buffer_add``, ``buffer_sample``,
        ``update_forward`` (the loss, through time for a recurrent student), ``update_backward`` (backpropagation,
        through time), ``optimizer_step`` (clipping and Adam) and ``normalizer`` (the student's observation
        statistics). Asynchronous runs add ``learner_busy`` and ``learner_blocked`` (the learner's thread: working,
        and waiting for the envs at the staleness bound), ``learner_wait`` and ``learner_refresh`` (the envs' thread:
        waiting for the learner, and copying its weights into the acting student); the update's parts are then the
        learner thread's."""
        return dict(self.perf.seconds)

    def _resample_teacher_acts(self, mask: torch.Tensor) -> None:
        draw = torch.rand(mask.shape, device=self.device) < self.beta
        self.teacher_acts = torch.where(mask.bool(), draw, self.teacher_acts)

    def act(self, obs: TensorDict) -> torch.Tensor:
        """Student acts (stochastic) unless beta-mixing hands the env to the teacher; the teacher always labels."""
        acting = self.acting
        if self.learner is not None:
            self.learner.refresh(acting, first_step=self.storage.step == 0)
        if self.storage.step == 0:
            self._rollout_start_hidden = _clone(acting.get_hidden_state())
        with self.perf.timing("student_act"):
            student_actions = acting(obs, stochastic_output=True).detach()
        if self._rollout_start_hidden is None and acting.is_recurrent:
            self._rollout_start_hidden = _zeros_like(acting.get_hidden_state())
        with self.perf.timing("teacher_label"):
            teacher_actions = self._label(obs)
        student_mean = acting.distribution.mean.detach()
        self._stats["action_error"].append((student_mean - teacher_actions).abs().mean().item())
        beta = self.beta
        if beta > 0.0:
            if self.beta_mixing == "per_step":
                self._resample_teacher_acts(torch.ones_like(self.teacher_acts))
            actions = torch.where(self.teacher_acts.unsqueeze(-1), teacher_actions, student_actions)
        else:
            actions = student_actions
        self.transition.actions = actions
        self.transition.privileged_actions = teacher_actions
        self.transition.observations = obs
        return actions

    def _label(self, obs: TensorDict) -> torch.Tensor:
        """The teacher's action for ``obs`` (its mean); its state-independent std is kept for the KL loss."""
        actions, self._teacher_std = teacher_output(self.teacher, obs)
        return actions

    def _targets(self) -> torch.Tensor:
        """What the buffer keeps as each transition's label: the teacher's actions along the rollout."""
        return self.storage.privileged_actions

    def _stored_groups(self, obs: TensorDict) -> list[str]:
        """The obs groups the buffer keeps: the student's."""
        return list(self.student.obs_groups)

    def _teacher_std_for(self, obs: TensorDict | None) -> torch.Tensor | None:
        """The std of the teacher that labelled ``obs`` (the KL loss's target std)."""
        return self._teacher_std

    def process_env_step(self, obs, rewards, dones, extras) -> None:
        with self.perf.timing("process_step"):
            self._process_env_step(obs, rewards, dones, extras)

    def _process_env_step(self, obs, rewards, dones, extras) -> None:
        # RSL-RL's Distillation.process_env_step, with the acting student's memory reset (an asynchronous learner's
        # student is not the one that acts)
        self.transition.rewards = rewards
        self.transition.dones = dones
        self.storage.add_transition(self.transition)
        self.transition.clear()
        self.acting.reset(dones)
        self.teacher.reset(dones)
        self._episode_return += rewards.view(-1)
        done = dones.view(-1).bool()
        if done.any():
            if self.beta_mixing == "per_env":
                teacher = self.teacher_acts[done]
                self._stats["teacher_return"] += self._episode_return[done][teacher].tolist()
                self._stats["student_return"] += self._episode_return[done][~teacher].tolist()
            self._episode_return[done] = 0.0
        if self.beta_mixing == "per_env":
            self._resample_teacher_acts(dones)

    def update(self) -> dict[str, float]:
        """Add the rollout to the buffer, then take ``num_learning_epochs * num_mini_batches`` gradient steps on it
        (an asynchronous learner: start taking them, and return what the previous iteration's steps logged)."""
        if self.learner is not None:
            return self._update_asynchronously()
        student_hidden = self.student.get_hidden_state()
        teacher_hidden = [t.get_hidden_state() for t in self.teacher_models()]
        obs = self.storage.observations
        if self._student_groups is None:
            self._student_groups = self._stored_groups(obs)
        student_obs = obs.select(*self._student_groups)
        with self.perf.timing("buffer_add"):
            self.buffer.add(student_obs, self._targets(), self.storage.dones, self._rollout_start_hidden)
        self._set_learning_rate()
        self.learning_iteration = self.num_updates
        logged = self._learn()
        # the rollout's memory goes on where the rollout stopped, for the student and the teacher alike
        self.student.reset(hidden_state=_clone(student_hidden))
        for teacher, hidden in zip(self.teacher_models(), teacher_hidden, strict=True):
            teacher.reset(hidden_state=hidden)
        with self.perf.timing("normalizer"):
            self.student.update_normalization(obs.flatten(0, 1))
        self.storage.clear()
        beta = self.beta
        self.num_updates += 1
        return self._logged(logged, beta)

    def _logged(self, logged: dict[str, float], beta: float) -> dict[str, float]:
        """What an update logs: the gradient steps' ``logged``, the rollout's ``beta``, the buffer's size and the
        rollout's statistics."""
        logged |= {"beta": beta, "buffer_rollouts": float(len(self.buffer))}
        for key, values in self._stats.items():
            if values:
                logged[key] = sum(values) / len(values)
            values.clear()
        return logged

    def _update_asynchronously(self) -> dict[str, float]:
        """Wait for the learner's previous order, add the rollout to the buffer (the learner is idle), hand the learner
        this iteration's gradient steps and return; what the previous order logged, with this rollout's statistics."""
        logged = self.learner.wait()
        obs = self.storage.observations
        if self._student_groups is None:
            self._student_groups = self._stored_groups(obs)
        with self.perf.timing("buffer_add"):
            self.buffer.add(
                obs.select(*self._student_groups), self._targets(), self.storage.dones, self._rollout_start_hidden
            )
        self._set_learning_rate()
        self.learning_iteration = self.num_updates
        # RSL-RL's runner logs the std of the policy's last forward pass, which a learner that has not run yet lacks
        self.student.distribution.update(self._actor.distribution.mean.clone())
        self.learner.start(functools.partial(self._order, self.buffer.chunks[-1]["obs"]))
        self.storage.clear()
        staleness = self.learner.staleness
        if staleness:
            logged |= {"staleness": sum(staleness) / len(staleness), "staleness_max": float(max(staleness))}
            total, steps = self.staleness, self.staleness["env_steps"] + len(staleness)
            total["mean"] = (total["mean"] * total["env_steps"] + sum(staleness)) / steps
            total["env_steps"], total["max"] = steps, max(total["max"], max(staleness))
        staleness.clear()
        beta = self.beta
        self.num_updates += 1
        return self._logged(logged, beta)

    def _order(self, rollout_obs: TensorDict) -> dict[str, float]:
        """An asynchronous learner's work for one iteration (in its thread): the gradient steps, then the student's
        observation statistics from the rollout, as a synchronous update does."""
        logged = self._learn()
        self.learner.before_step()  # the new statistics are one more version: within the bound as well
        with self.perf.timing("normalizer"):
            self.student.update_normalization(rollout_obs.flatten(0, 1))
        self.learner.publish()
        return logged

    def _learn(self) -> dict[str, float]:
        """The iteration's ``num_learning_epochs * num_mini_batches`` gradient steps on the buffer; what they log."""
        n_sequences = max(1, len(self.buffer) * self.storage.num_envs // self.num_mini_batches)
        n_sequences = min(n_sequences, self.storage.num_envs)
        losses = []
        for _ in range(self.num_learning_epochs * self.num_mini_batches):
            if self.learner is not None:
                self.learner.before_step()
            with self.perf.timing("buffer_sample"):
                batch = self.buffer.sample(n_sequences)
            with self.perf.timing("update_forward"):
                loss = self._sequence_loss(batch)
            losses.append(self._gradient_step(loss, "rollout's"))
            if self.learner is not None:
                self.learner.publish()
        return {"behavior": sum(losses) / len(losses)}

    def _set_learning_rate(self) -> None:
        """Move the optimizer's learning rate along the linear decay (no-op when it is fixed)."""
        schedule, first, last, fraction = self.lr_schedule
        if schedule == "linear" and self.total_iterations > 0:
            start = self.total_iterations * (1.0 - fraction)
            progress = (self.num_updates - start) / (self.total_iterations - start)
            self.learning_rate = first + (last - first) * min(max(progress, 0.0), 1.0)
            for group in self.optimizer.param_groups:
                group["lr"] = self.learning_rate

    def _gradient_step(self, loss: torch.Tensor, source: str) -> float:
        """One optimizer step on ``loss`` (gradients averaged across processes, clipped); refuse a non-finite loss."""
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"behaviour loss is {loss.item()} at update {self.num_updates}: the {source} student observations or "
                "teacher actions hold NaN/Inf; the student was not updated with it."
            )
        with self.perf.timing("update_backward"):
            self.optimizer.zero_grad()
            loss.backward()
        with self.perf.timing("optimizer_step"):
            if self.is_multi_gpu:
                self.reduce_parameters()
            if self.max_grad_norm:
                nn.utils.clip_grad_norm_(self.student.parameters(), self.max_grad_norm)
            self.optimizer.step()
        return loss.item()

    fused_sequences: bool = True
    """Whether a recurrent student may run a whole sequence in one call of its RNN (RSL-RL's batch mode over the
    sequence split at episode ends) when no window of :attr:`gradient_length` cuts it: the same loss as stepping
    through time, at a fraction of the cost for small minibatches. Subclasses that record per-step layer outputs turn
    it off."""

    def _sequence_loss(self, batch: dict) -> torch.Tensor:
        """Mean behaviour loss over a batch of env-sequences (T, B); recurrent students run through time."""
        obs, target, dones = batch["obs"], batch["actions"], batch["dones"]
        if not self.student.is_recurrent:
            flat = obs.flatten(0, 1)
            mean, std = self._student_output(flat)
            return self._loss(mean, std, target.flatten(0, 1), flat).mean()
        if self.fused_sequences and self.gradient_length >= target.shape[0]:
            return self._fused_sequence_loss(obs, target, dones, batch["hidden"])
        self.student.reset(hidden_state=batch["hidden"])
        total = 0.0
        for t in range(target.shape[0]):
            mean, std = self._student_output(obs[t])
            total = total + self._loss(mean, std, target[t], obs[t]).mean()
            self._advance_memory(dones[t], t)
        return total / target.shape[0]

    def _fused_sequence_loss(self, obs: TensorDict, target: torch.Tensor, dones: torch.Tensor, hidden) -> torch.Tensor:
        """:meth:`_sequence_loss` with the RNN run over each episode piece at once: the sequences are split where an
        episode ended (the memory starts from the stored state, then from zeros) and padded, as RSL-RL's PPO trains
        its recurrent policies (:func:`episode_pieces`)."""
        padded, masks, hidden = episode_pieces(obs, dones, hidden)
        self.student(padded, masks=masks, hidden_state=hidden, stochastic_output=True)
        mean, std = self.student.distribution.mean, self.student.distribution.std
        # every step holds as many samples, so the mean over (T, B) is the mean of the per-step means
        return self._loss(mean.flatten(0, 1), std.flatten(0, 1), target.flatten(0, 1), obs.flatten(0, 1)).mean()

    def _advance_memory(self, dones: torch.Tensor, t: int) -> None:
        """After sequence step ``t``: forget the memory of envs whose episode ended, and detach it at the end of each
        ``gradient_length`` window (truncated backpropagation through time)."""
        keep = (~dones.bool()).float().view(1, -1, 1)
        cut = (t + 1) % self.gradient_length == 0
        hidden = map_hidden(self.student.get_hidden_state(), lambda h: (h.detach() if cut else h) * keep)
        self.student.reset(hidden_state=hidden)

    def _student_output(self, obs: TensorDict) -> tuple[torch.Tensor, torch.Tensor]:
        self.student(obs, stochastic_output=True)
        return self.student.distribution.mean, self.student.distribution.std

    def _loss(self, mean, std, target, obs: TensorDict | None = None) -> torch.Tensor:
        # clone: the std was read during the rollout, in inference mode
        teacher_std = self._teacher_std_for(obs)
        teacher_std = None if teacher_std is None else teacher_std.clone().expand_as(target)
        return behavior_loss(self.loss_type, mean, target, std, teacher_std)

    def save(self) -> dict:
        saved = super().save()
        saved["distill_state"] = {"num_updates": self.num_updates}
        return saved

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        load_iteration = super().load(loaded_dict, load_cfg, strict)
        if "distill_state" in loaded_dict and load_iteration:
            self.num_updates = int(loaded_dict["distill_state"]["num_updates"])
        return load_iteration


def episode_pieces(obs: TensorDict, dones: torch.Tensor, hidden) -> tuple[TensorDict, torch.Tensor, object]:
    """RSL-RL's ``split_and_pad_trajectories`` of ``obs`` (T, B) at ``dones``, in a few indexing operations instead of
    one tensor per piece: the pieces (env by env, then in time) padded to T steps, the masks of their valid steps, and
    each piece's starting memory (``hidden`` at a sequence's start, zeros after an episode ended)."""
    steps = dones.shape[0]
    starts = torch.ones_like(dones, dtype=torch.bool)
    starts[1:] = dones[:-1].bool()
    env, start = starts.transpose(0, 1).nonzero(as_tuple=True)  # one piece per start, ordered env by env, then time
    same_env = torch.cat([env[1:] == env[:-1], env.new_zeros(1, dtype=torch.bool)])
    end = torch.where(same_env, torch.cat([start[1:], start.new_full((1,), steps)]), steps)
    time = start + torch.arange(steps, device=dones.device).unsqueeze(1)  # (T, pieces)
    masks = time < end
    padded = obs[time.clamp(max=steps - 1), env.expand_as(time)]  # past a piece's end: repeated steps, masked out
    first = (start == 0).view(1, -1, 1)
    return padded, masks, map_hidden(hidden, lambda h: h[:, env] * first)


def teacher_output(teacher, obs: TensorDict) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A teacher's action label (its mean) and, for a Gaussian teacher, its state-independent std."""
    if teacher.distribution is None:
        return teacher(obs).detach(), None
    teacher(obs, stochastic_output=True)
    return teacher.distribution.mean.detach(), teacher.distribution.std[0].detach()


def _clone(hidden):
    return map_hidden(hidden, lambda h: h.detach().clone())


def _zeros_like(hidden):
    return map_hidden(hidden, torch.zeros_like)
