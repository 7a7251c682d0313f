"""Proximal Policy Distillation (PPD, Spigler 2024): PPO on the student plus ``lambda * KL(student || teacher)``.

A subclass of RSL-RL's ``PPO`` run by the ``OnPolicyRunner`` path (``DistillLabOnPolicyRunner``). The student is the
PPO ``actor`` (it reads the deployable obs groups), the critic may read privileged ones, and a frozen ``teacher``
model (same cfg as the PPO teacher's actor) is built next to them and loaded from the teacher checkpoint. Each PPO
minibatch adds ``lambda * mean KL(student || teacher)`` on the student's own states; lambda is constant or decays
linearly. The checkpoint is PPO's (``actor_state_dict`` = the student, ...) plus ``teacher_state_dict``, so play and
export treat the student as any PPO policy.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from rsl_rl.algorithms import PPO
from rsl_rl.storage import RolloutStorage
from rsl_rl.utils import resolve_class, resolve_obs_groups
from tensordict import TensorDict

from .losses import behavior_loss
from .replay import schedule_value


def student_teacher_kl(
    student_mean: torch.Tensor, student_std: torch.Tensor, teacher_mean: torch.Tensor, teacher_std: torch.Tensor
) -> torch.Tensor:
    """``KL(student || teacher)`` of diagonal Gaussians, summed over action dims: one value per sample.

    ``sum log(s_t / s_s) + (s_s^2 + (m_s - m_t)^2) / (2 s_t^2) - 1/2``. ``behavior_loss("kl", ...)`` computes
    ``KL(second || first)``, so the arguments are swapped.
    """
    return behavior_loss("kl", teacher_mean, student_mean, teacher_std, student_std)


class PPD(PPO):
    """PPO with a KL pull toward a frozen teacher (see the module docstring)."""

    teacher_loaded: bool = False
    """Whether the teacher's weights were loaded (from a PPO, distillation or PPD checkpoint)."""

    def __init__(
        self,
        actor,
        critic,
        storage,
        teacher=None,
        kl_coef: float = 1.0,
        kl_coef_schedule: str = "constant",
        kl_coef_final: float = 0.0,
        kl_decay_iterations: int = 100,
        **kwargs,
    ) -> None:
        if teacher is None:
            raise ValueError("PPD needs a teacher model (the runner cfg's 'teacher')")
        if teacher.is_recurrent or teacher.distribution is None:
            raise ValueError("PPD needs a feed-forward teacher with a distribution_cfg (a PPO actor)")
        if actor.distribution is None:
            raise ValueError("PPD needs a student (actor) with a distribution_cfg")
        if kl_coef_schedule not in ("constant", "linear"):
            raise ValueError(f"kl_coef_schedule must be 'constant' or 'linear', got '{kl_coef_schedule}'")
        if kwargs.get("rnd_cfg") or kwargs.get("symmetry_cfg") or kwargs.get("use_mixed_precision"):
            raise ValueError("PPD supports neither RND, symmetry nor mixed precision")
        super().__init__(actor, critic, storage, **kwargs)
        self.teacher = teacher.to(self.device)
        self.teacher.eval()
        self.teacher.requires_grad_(False)
        self.kl_schedule = {
            "kind": kl_coef_schedule,
            "start": kl_coef,
            "end": kl_coef_final,
            "iterations": kl_decay_iterations,
        }
        self.num_updates = 0
        """Completed updates (learning iterations); drives the lambda schedule."""

    @property
    def kl_coef(self) -> float:
        """Lambda at the current iteration."""
        return schedule_value(self.kl_schedule, self.num_updates)

    def update(self) -> dict[str, float]:
        """PPO's update (clipped surrogate, clipped value loss, entropy, adaptive LR) plus ``lambda * KL``."""
        if not self.teacher_loaded:
            raise ValueError("PPD's teacher is not loaded: give a teacher checkpoint before learning.")
        kl_coef = self.kl_coef
        sums = {"value": 0.0, "surrogate": 0.0, "entropy": 0.0, "distill_kl": 0.0}
        if self.actor.is_recurrent or self.critic.is_recurrent:
            batches = self.storage.recurrent_mini_batch_generator(self.num_mini_batches, self.num_learning_epochs)
        else:
            batches = self.storage.mini_batch_generator(self.num_mini_batches, self.num_learning_epochs)
        for batch in batches:
            advantages = batch.advantages
            if self.normalize_advantage_per_mini_batch:
                advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
            self.actor(
                batch.observations, masks=batch.masks, hidden_state=batch.hidden_states[0], stochastic_output=True
            )
            log_prob = self.actor.get_output_log_prob(batch.actions)
            entropy = self.actor.output_entropy
            student_mean, student_std = self.actor.distribution.mean, self.actor.distribution.std
            values = self.critic(batch.observations, masks=batch.masks, hidden_state=batch.hidden_states[1])
            if self.desired_kl is not None and self.schedule == "adaptive":
                self._adapt_learning_rate(batch.old_distribution_params, self.actor.output_distribution_params)

            ratio = torch.exp(log_prob - torch.squeeze(batch.old_actions_log_prob))
            surrogate = -torch.squeeze(advantages) * ratio
            clipped = -torch.squeeze(advantages) * torch.clamp(ratio, 1.0 - self.clip_param, 1.0 + self.clip_param)
            surrogate_loss = torch.max(surrogate, clipped).mean()
            if self.use_clipped_value_loss:
                value_clipped = batch.values + (values - batch.values).clamp(-self.clip_param, self.clip_param)
                value_loss = torch.max((values - batch.returns).pow(2), (value_clipped - batch.returns).pow(2)).mean()
            else:
                value_loss = (batch.returns - values).pow(2).mean()
            distill_kl = self.teacher_kl(batch.observations, batch.masks, student_mean, student_std).mean()
            loss = (
                surrogate_loss
                + self.value_loss_coef * value_loss
                - self.entropy_coef * entropy.mean()
                + kl_coef * distill_kl
            )

            self.optimizer.zero_grad()
            loss.backward()
            if self.is_multi_gpu:
                self.reduce_parameters()
            nn.utils.clip_grad_norm_(self.actor.parameters(), self.max_grad_norm)
            nn.utils.clip_grad_norm_(self.critic.parameters(), self.max_grad_norm)
            self.optimizer.step()
            for key, value in zip(sums, (value_loss, surrogate_loss, entropy.mean(), distill_kl), strict=True):
                sums[key] += value.item()

        obs = self.storage.observations.flatten(0, 1)
        self.actor.update_normalization(obs)
        self.critic.update_normalization(obs)
        self.storage.clear()
        self.num_updates += 1
        n = self.num_learning_epochs * self.num_mini_batches
        return {**{k: v / n for k, v in sums.items()}, "kl_coef": kl_coef}

    def teacher_kl(
        self, obs: TensorDict, masks: torch.Tensor | None, student_mean: torch.Tensor, student_std: torch.Tensor
    ) -> torch.Tensor:
        """Per-sample ``KL(student || teacher)`` on ``obs`` (padded recurrent batches are unpadded with ``masks``)."""
        with torch.no_grad():
            self.teacher(obs, masks=masks, stochastic_output=True)
            teacher_mean, teacher_std = self.teacher.distribution.mean, self.teacher.distribution.std
        return student_teacher_kl(student_mean, student_std, teacher_mean, teacher_std)

    def _adapt_learning_rate(self, old_params, new_params) -> None:
        """PPO's adaptive learning rate: divide by 1.5 above twice the desired KL, multiply by 1.5 below half of it."""
        with torch.inference_mode():
            kl_mean = torch.mean(self.actor.get_kl_divergence(old_params, new_params))
            if self.is_multi_gpu:  # every rank takes the same step
                torch.distributed.all_reduce(kl_mean, op=torch.distributed.ReduceOp.SUM)
                kl_mean /= self.gpu_world_size
        if kl_mean > self.desired_kl * 2.0:
            self.learning_rate = max(1e-5, self.learning_rate / 1.5)
        elif 0.0 < kl_mean < self.desired_kl / 2.0:
            self.learning_rate = min(1e-2, self.learning_rate * 1.5)
        for group in self.optimizer.param_groups:
            group["lr"] = self.learning_rate

    def train_mode(self) -> None:
        """Train the actor and critic; the teacher stays in eval mode."""
        super().train_mode()
        self.teacher.eval()

    def save(self) -> dict:
        saved = super().save()
        saved["teacher_state_dict"] = self.teacher.state_dict()
        saved["distill_state"] = {"num_updates": self.num_updates}
        return saved

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        """A PPD checkpoint (actor and teacher) loads whole; a PPO or distillation one gives only the teacher."""
        if "teacher_state_dict" in loaded_dict and "actor_state_dict" in loaded_dict:
            load_iteration = super().load(loaded_dict, load_cfg, strict)
            self.teacher.load_state_dict(loaded_dict["teacher_state_dict"], strict=strict)
            self.teacher_loaded = True
            if load_iteration and "distill_state" in loaded_dict:
                self.num_updates = int(loaded_dict["distill_state"]["num_updates"])
            return load_iteration
        teacher_state = loaded_dict.get("teacher_state_dict") or loaded_dict["actor_state_dict"]
        self.teacher.load_state_dict(teacher_state, strict=strict)
        self.teacher_loaded = True
        return False

    @staticmethod
    def construct_algorithm(obs: TensorDict, env, cfg: dict, device: str) -> PPD:
        """Build the student (``actor``), ``critic`` and frozen ``teacher`` models, the storage and the algorithm."""
        alg_class, alg_cfg = resolve_class(cfg["algorithm"])
        alg_cfg.pop("share_cnn_encoders", None)
        cfg["obs_groups"] = resolve_obs_groups(obs, cfg["obs_groups"], ["actor", "critic", "teacher"])
        models = {}
        for name, out_dim in (("actor", env.num_actions), ("critic", 1), ("teacher", env.num_actions)):
            model_class, model_cfg = resolve_class(cfg[name])
            models[name] = model_class(obs, cfg["obs_groups"], name, out_dim, **model_cfg).to(device)
            print(f"{name.capitalize()} Model: {models[name]}")
        storage = RolloutStorage("rl", env.num_envs, cfg["num_steps_per_env"], obs, [env.num_actions], device)
        alg = alg_class(**models, storage=storage, device=device, **alg_cfg, multi_gpu_cfg=cfg["multi_gpu"])
        alg.compile(cfg.get("torch_compile_mode"))
        return alg
