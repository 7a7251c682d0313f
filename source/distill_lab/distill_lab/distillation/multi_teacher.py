"""Many teachers, one student: DAgger where every env is labelled (and, while forcing, driven) by its own teacher.

Choose it with ``algorithm.class_name = "distill_lab.distillation.multi_teacher:MultiTeacherDAgger"``. Each env is
assigned one of ``num_teachers`` teachers by the env itself (drawn at every reset; the event also loads that teacher's
conditions, e.g. its vehicle), and the assignment arrives as the integer obs group ``teacher_id``. Every teacher runs
on every env, so a recurrent teacher keeps its memory per env, and each env takes the action of its own teacher: the
label, and the action while beta-mixing hands the env to the teacher. The buffer keeps ``teacher_id`` with the
student's observations, so a replayed transition knows its teacher (the KL loss takes that teacher's std).

Teacher 0 is RSL-RL's ``teacher`` (saved as ``teacher_state_dict``); all of them are saved in
``teachers_state_dict``, with the specs that say where they came from (``distill_state["teachers"]``) so a run
resumes with the same teachers and env conditions. The run's command gives the teachers to
:meth:`~distill_lab.distillation.interface.DistillLabAlgorithm.load_teachers`. Without a ``teacher_id`` group (one
teacher, e.g. under Isaac Lab's CLI) it is the single-teacher DAgger.
"""

from __future__ import annotations

import copy

import torch
from tensordict import TensorDict

from .dagger import DAgger, teacher_output

TEACHER_ID = "teacher_id"
"""The env's obs group holding each env's assigned teacher (:func:`distill_lab.tasks.mdp.assigned_teacher`)."""


class MultiTeacherDAgger(DAgger):
    """DAgger from ``num_teachers`` teachers, each env labelled by the one the env assigned to it."""

    def __init__(self, student, teacher, storage, num_teachers: int = 1, **kwargs) -> None:
        if num_teachers < 1:
            raise ValueError(f"num_teachers must be at least 1, got {num_teachers}")
        super().__init__(student, teacher, storage, **kwargs)
        self.teachers = [self.teacher] + [copy.deepcopy(self.teacher) for _ in range(num_teachers - 1)]
        """The teachers, in the order of the env's ``teacher_id`` (teacher 0 is ``self.teacher``)."""
        self._teacher_stds = None

    def assignment(self, obs: TensorDict) -> torch.Tensor:
        """Each env's teacher index, from the ``teacher_id`` obs group (all 0 without one, for a single teacher)."""
        if TEACHER_ID not in obs.keys():
            if len(self.teachers) > 1:
                raise ValueError(
                    f"{len(self.teachers)} teachers but the env has no '{TEACHER_ID}' obs group to say which teacher "
                    f"labels each env; found groups {sorted(obs.keys())}. distill_lab's train.py adds it "
                    "(distill_lab.tasks.base.assign_teachers)."
                )
            return torch.zeros(obs.batch_size[0], dtype=torch.long, device=self.device)
        ids = obs[TEACHER_ID].reshape(obs.batch_size[0], -1)[:, 0].round().long()
        if ids.min() < 0 or ids.max() >= len(self.teachers):
            raise ValueError(f"teacher_id {int(ids.max())} is outside the {len(self.teachers)} loaded teachers")
        return ids

    def _label(self, obs: TensorDict) -> torch.Tensor:
        ids = self.assignment(obs)
        outputs = [teacher_output(t, obs) for t in self.teachers]
        envs = torch.arange(len(ids), device=self.device)
        if outputs[0][1] is not None:
            self._teacher_stds = torch.stack([std for _, std in outputs])
        return torch.stack([actions for actions, _ in outputs])[ids, envs]

    def teacher_models(self) -> list:
        return self.teachers

    def _stored_groups(self, obs: TensorDict) -> list[str]:
        return super()._stored_groups(obs) + ([TEACHER_ID] if TEACHER_ID in obs.keys() else [])

    def _teacher_std_for(self, obs: TensorDict | None) -> torch.Tensor | None:
        if self._teacher_stds is None or obs is None:
            return None if self._teacher_stds is None else self._teacher_stds[0]
        return self._teacher_stds[self.assignment(obs)]

    @property
    def reference(self) -> AssignedTeachers:
        """The assigned teachers as one policy: an evaluation's reference along the student's trajectory."""
        return AssignedTeachers(self)

    def process_env_step(self, obs, rewards, dones, extras) -> None:
        super().process_env_step(obs, rewards, dones, extras)
        for teacher in self.teachers[1:]:
            teacher.reset(dones)

    def train_mode(self) -> None:
        super().train_mode()
        for teacher in self.teachers:
            teacher.eval()

    def save(self) -> dict:
        saved = super().save()
        saved["teachers_state_dict"] = [t.state_dict() for t in self.teachers]
        saved["distill_state"]["teachers"] = self.teacher_specs
        return saved

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        load_iteration = super().load(loaded_dict, load_cfg, strict)
        states = loaded_dict.get("teachers_state_dict")
        if states is not None and (load_cfg is None or load_cfg.get("teacher")):
            if len(states) != len(self.teachers):
                raise ValueError(
                    f"the checkpoint holds {len(states)} teachers, and this run was built for {len(self.teachers)} "
                    "(agent.algorithm.num_teachers)"
                )
            for teacher, state in zip(self.teachers, states, strict=True):
                teacher.load_state_dict(state, strict=strict)
            self.teacher_specs = loaded_dict.get("distill_state", {}).get("teachers", [])
        return load_iteration


class AssignedTeachers:
    """Each env's own teacher, called and reset like one policy."""

    def __init__(self, alg: MultiTeacherDAgger) -> None:
        self.alg = alg

    def __call__(self, obs: TensorDict) -> torch.Tensor:
        return self.alg._label(obs)

    def reset(self, dones: torch.Tensor | None = None) -> None:
        for teacher in self.alg.teachers:
            teacher.reset(dones)
