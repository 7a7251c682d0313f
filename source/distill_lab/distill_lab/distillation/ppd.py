"""Proximal Policy Distillation (PPD, Spigler 2024): PPO on the student plus ``lambda * KL(student || teacher)``.

A subclass of RSL-RL's ``PPO``, run by its ``OnPolicyRunner``. The student is the PPO ``actor`` (it reads the
deployable obs groups), the critic may read privileged ones, and a frozen ``teacher`` model (the PPO teacher's actor
cfg) is built next to them and loaded from the teacher checkpoint. The checkpoint is PPO's (``actor_state_dict`` = the
student, ...) plus ``teacher_state_dict``, so play and export treat the student as any PPO policy.

PPO's update is not copied: the KL term enters through the one extra-loss hook ``PPO.update`` has, the symmetry
extension's mirror loss (rsl-rl-lib 5.5.1, ``rsl_rl/algorithms/ppo.py`` lines 219-220 and 291-294: per minibatch,
after the actor's forward pass, ``loss += symmetry.mirror_loss_coeff * symmetry.compute_loss(actor, batch, n)``).
:class:`TeacherKL` fills that slot, so PPD runs without RSL-RL's symmetry augmentation.
"""

from __future__ import annotations

import torch
from rsl_rl.algorithms import PPO
from rsl_rl.utils import resolve_class, resolve_obs_groups
from tensordict import TensorDict

from .interface import DistillLabAlgorithm
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


class TeacherKL:
    """The KL pull toward a frozen teacher, in the place of RSL-RL's symmetry extension (see the module docstring)."""

    use_mirror_loss = True
    """PPO adds ``mirror_loss_coeff * compute_loss(...)`` to each minibatch loss."""

    def __init__(self, teacher: torch.nn.Module) -> None:
        self.teacher = teacher
        """The frozen teacher model."""
        self.mirror_loss_coeff = 0.0
        """Lambda of the current iteration (set by :meth:`PPD.update`)."""

    def augment_batch(self, batch, original_batch_size: int) -> None:
        """No data augmentation."""

    def compute_loss(self, actor, batch, original_batch_size: int) -> torch.Tensor:
        """Mean ``KL(student || teacher)`` on the minibatch; the actor's distribution is the one PPO just computed."""
        student_mean, student_std = actor.distribution.mean, actor.distribution.std
        with torch.no_grad():
            self.teacher(batch.observations, masks=batch.masks, stochastic_output=True)
            teacher_mean, teacher_std = self.teacher.distribution.mean, self.teacher.distribution.std
        return student_teacher_kl(student_mean, student_std, teacher_mean, teacher_std).mean()


class PPD(DistillLabAlgorithm, PPO):
    """PPO with a KL pull toward a frozen teacher (see the module docstring)."""

    teacher_loaded: bool = False
    """Whether the teacher's weights were loaded (from a PPO, distillation or PPD checkpoint)."""

    def __init__(
        self,
        actor,
        critic,
        storage,
        kl_coef: float = 1.0,
        kl_coef_schedule: str = "constant",
        kl_coef_final: float = 0.0,
        kl_decay_iterations: int = 100,
        **kwargs,
    ) -> None:
        if actor.distribution is None:
            raise ValueError("PPD needs a student (actor) with a distribution_cfg")
        if kl_coef_schedule not in ("constant", "linear"):
            raise ValueError(f"kl_coef_schedule must be 'constant' or 'linear', got '{kl_coef_schedule}'")
        if kwargs.get("symmetry_cfg"):
            raise ValueError("PPD's KL term takes the place of the symmetry extension; remove symmetry_cfg")
        super().__init__(actor, critic, storage, **kwargs)
        self.teacher: torch.nn.Module | None = None
        """The frozen teacher (attached by :meth:`construct_algorithm`)."""
        self.kl_schedule = {
            "kind": kl_coef_schedule,
            "start": kl_coef,
            "end": kl_coef_final,
            "iterations": kl_decay_iterations,
        }
        self.num_updates = 0
        """Completed updates (learning iterations); drives the lambda schedule."""

    def attach_teacher(self, teacher: torch.nn.Module) -> None:
        """Freeze ``teacher`` and put its KL pull into PPO's loss."""
        if teacher.is_recurrent or teacher.distribution is None:
            raise ValueError("PPD needs a feed-forward teacher with a distribution_cfg (a PPO actor)")
        self.teacher = teacher.to(self.device).eval().requires_grad_(False)
        self.symmetry = TeacherKL(self.teacher)

    def teacher_models(self) -> list[torch.nn.Module]:
        return [self.teacher]

    @property
    def kl_coef(self) -> float:
        """Lambda at the current iteration."""
        return schedule_value(self.kl_schedule, self.num_updates)

    def update(self) -> dict[str, float]:
        """PPO's update with ``lambda * KL`` added to every minibatch loss."""
        if not self.teacher_loaded:
            raise ValueError("PPD's teacher is not loaded: give a teacher checkpoint before learning.")
        self.symmetry.mirror_loss_coeff = kl_coef = self.kl_coef
        losses = super().update()
        losses["distill_kl"] = losses.pop("symmetry")
        self.num_updates += 1
        return {**losses, "kl_coef": kl_coef}

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
        """A PPD checkpoint (actor and teacher) resumes whole; a PPO or distillation one (Isaac Lab's CLI's
        ``--checkpoint``) gives only the teacher."""
        resumed = "teacher_state_dict" in loaded_dict and "actor_state_dict" in loaded_dict
        load_iteration = super().load(loaded_dict, load_cfg, strict) if resumed else False
        if load_iteration and "distill_state" in loaded_dict:
            self.num_updates = int(loaded_dict["distill_state"]["num_updates"])
        self.teacher.load_state_dict(loaded_dict.get("teacher_state_dict") or loaded_dict["actor_state_dict"], strict)
        self.teacher_loaded = True
        return load_iteration

    @staticmethod
    def construct_algorithm(obs: TensorDict, env, cfg: dict, device: str) -> PPD:
        """PPO's construction (actor, critic, storage, algorithm), then the frozen ``teacher`` model next to them."""
        cfg["obs_groups"] = resolve_obs_groups(obs, cfg["obs_groups"], ["actor", "critic", "teacher"])
        alg = PPO.construct_algorithm(obs, env, cfg, device)
        teacher_class, teacher_cfg = resolve_class(cfg["teacher"])
        teacher = teacher_class(obs, cfg["obs_groups"], "teacher", env.num_actions, **teacher_cfg)
        print(f"Teacher Model: {teacher}")
        alg.attach_teacher(teacher)
        return alg
