"""RL fine-tuning of a distilled student: PPO whose actor starts as the student, after a critic-only warm-up.

The student (the PPO ``actor``, same model cfg as the distillation student) is loaded from a distillation checkpoint's
``student_state_dict``. A fresh critic knows nothing of the student's returns, so for the first
``critic_warmup_iterations`` only the critic learns: the actor, its action std and its obs normalizer stay frozen and
the adaptive learning rate is held. Then plain PPO improves the student on the env's reward. The checkpoint is PPO's,
so play and export treat the fine-tuned student as any PPO policy.
"""

from __future__ import annotations

from rsl_rl.algorithms import PPO

from .interface import DistillLabAlgorithm


class FinetunePPO(DistillLabAlgorithm, PPO):
    """PPO with a critic-only warm-up and a student checkpoint as the starting actor (see the module docstring)."""

    def __init__(self, actor, critic, storage, critic_warmup_iterations: int = 20, **kwargs) -> None:
        super().__init__(actor, critic, storage, **kwargs)
        self.critic_warmup_iterations = critic_warmup_iterations
        self.num_updates = 0
        """Completed updates (learning iterations) in this process; drives the warm-up."""

    @property
    def reference(self) -> None:
        """None: the fine-tuned student learns from the reward, not a teacher."""
        return None

    def update(self) -> dict[str, float]:
        frozen = self.num_updates < self.critic_warmup_iterations
        learning_rate = self.learning_rate
        if frozen:
            self.actor.requires_grad_(False)
            self.actor.obs_normalizer.eval()
        try:
            losses = super().update()
        finally:
            self.actor.requires_grad_(True)
            self.actor.obs_normalizer.train()
        if frozen:  # an unchanged actor has zero KL, which the adaptive schedule would answer by raising the LR
            self.learning_rate = learning_rate
            for group in self.optimizer.param_groups:
                group["lr"] = learning_rate
        self.num_updates += 1
        return {**losses, "actor_frozen": float(frozen)}

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        """A distillation checkpoint initializes the actor only (a fresh run); a PPO checkpoint resumes as usual."""
        if "student_state_dict" in loaded_dict and "actor_state_dict" not in loaded_dict:
            self.get_policy().load_state_dict(loaded_dict["student_state_dict"], strict=strict)
            return False
        self.num_updates = self.critic_warmup_iterations  # a resumed run is past its warm-up
        return super().load(loaded_dict, load_cfg, strict)
