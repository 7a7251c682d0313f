"""Latent matching with privileged information (RMA-style): a teacher that encodes its privileged terms into a small
latent, and a recurrent student that estimates that latent from its own observation history.

* :class:`LatentMLPModel` (the PPO teacher's actor): it reads the ``teacher`` group, whose first terms are the
  ``policy`` group's; the rest (the privileged terms) pass through ``encoder`` into ``encoding_dim`` numbers, and the
  head (``mlp``) reads the policy terms and that encoding.
* :class:`LatentRNNModel` (the student): a GRU/LSTM over the ``policy`` group, an ``estimator`` from its memory to
  the encoding, and a head that reads the policy terms and the estimate, shaped like the teacher's head.
* :class:`LatentDAgger`: feature matching (:class:`~distill_lab.distillation.feature.FeatureDAgger`) of the
  student's ``estimator`` to the teacher's ``encoder``, without a projection, plus the action loss. With
  ``head="teacher"`` the student's head is the teacher's (copied once the teacher is loaded, then frozen, together
  with the teacher's normalization of the policy terms), so only the memory and the estimator learn.

Both models export to TorchScript and ONNX like RSL-RL's (same inputs and outputs).
"""

from __future__ import annotations

import copy

import torch
import torch.nn as nn
from rsl_rl.models import MLPModel, RNNModel
from rsl_rl.models.mlp_model import _OnnxMLPModel, _TorchMLPModel
from rsl_rl.models.rnn_model import _OnnxRNNModel, _TorchGRUModel, _TorchLSTMModel
from rsl_rl.modules import MLP
from rsl_rl.utils import unpad_trajectories

from .feature import FeatureDAgger


class _EncodedHead(nn.Module):
    """The teacher's head after normalization: policy terms and the encoding of the privileged terms, into ``mlp``."""

    def __init__(self, split: int, encoder: nn.Module, mlp: nn.Module) -> None:
        super().__init__()
        self.split, self.encoder, self.mlp = split, copy.deepcopy(encoder), copy.deepcopy(mlp)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([x[..., : self.split], self.encoder(x[..., self.split :])], -1))


class LatentMLPModel(MLPModel):
    """A teacher actor whose privileged terms pass through an encoder (see the module docstring)."""

    def __init__(
        self,
        obs,
        obs_groups,
        obs_set,
        output_dim,
        encoding_dim: int = 8,
        encoder_dims=(64, 32),
        policy_group: str = "policy",
        **kwargs,
    ) -> None:
        if policy_group not in obs.keys():
            raise ValueError(
                f"LatentMLPModel splits its observations after the '{policy_group}' group's terms, but "
                f"the env has no such group (groups: {sorted(obs.keys())})"
            )
        self.split, self.encoding_dim = obs[policy_group].shape[-1], encoding_dim
        super().__init__(obs, obs_groups, obs_set, output_dim, **kwargs)  # MLPModel's own arguments
        if self.obs_dim <= self.split:
            raise ValueError(
                f"LatentMLPModel reads {self.obs_dim} numbers ({self.obs_groups}): no privileged terms "
                f"after the {self.split} of '{policy_group}' to encode"
            )
        self.encoder = MLP(self.obs_dim - self.split, encoding_dim, list(encoder_dims), kwargs.get("activation", "elu"))

    def _get_latent_dim(self) -> int:
        return self.split + self.encoding_dim

    def get_latent(self, obs, masks=None, hidden_state=None) -> torch.Tensor:
        x = super().get_latent(obs, masks, hidden_state)
        return torch.cat([x[..., : self.split], self.encoder(x[..., self.split :])], -1)

    def as_jit(self) -> nn.Module:
        exported = _TorchMLPModel(self)
        exported.mlp = _EncodedHead(self.split, self.encoder, self.mlp)
        return exported

    def as_onnx(self, verbose: bool) -> nn.Module:
        exported = _OnnxMLPModel(self, verbose)
        exported.mlp = _EncodedHead(self.split, self.encoder, self.mlp)
        return exported


class LatentRNNModel(RNNModel):
    """A recurrent student that estimates the teacher's encoding (see the module docstring)."""

    def __init__(
        self,
        obs,
        obs_groups,
        obs_set,
        output_dim,
        rnn_type="gru",
        rnn_hidden_dim=64,
        encoding_dim: int = 8,
        estimator_dims=(),
        **kwargs,
    ) -> None:
        self.encoding_dim = encoding_dim
        super().__init__(
            obs, obs_groups, obs_set, output_dim, rnn_type=rnn_type, rnn_hidden_dim=rnn_hidden_dim, **kwargs
        )
        if estimator_dims:
            self.estimator = MLP(rnn_hidden_dim, encoding_dim, list(estimator_dims), kwargs.get("activation", "elu"))
        else:
            self.estimator = nn.Linear(rnn_hidden_dim, encoding_dim)

    def _get_latent_dim(self) -> int:
        return self.obs_dim + self.encoding_dim

    def get_latent(self, obs, masks=None, hidden_state=None) -> torch.Tensor:
        x = MLPModel.get_latent(self, obs)
        memory = self.rnn(x, masks, hidden_state).squeeze(0)
        if masks is not None:
            x = unpad_trajectories(x, masks)
        return torch.cat([x, self.estimator(memory)], -1)

    def as_jit(self) -> nn.Module:
        exported = (_JitLatentLSTM if isinstance(self.rnn.rnn, nn.LSTM) else _JitLatentGRU)(self)
        exported.estimator = copy.deepcopy(self.estimator)
        return exported

    def as_onnx(self, verbose: bool = False) -> nn.Module:
        exported = _OnnxLatentRNN(self, verbose)
        exported.estimator = copy.deepcopy(self.estimator)
        return exported


class _JitLatentGRU(_TorchGRUModel):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.obs_normalizer(x)
        memory, h = self.rnn(x.unsqueeze(0), self.hidden_state)
        self.hidden_state[:] = h
        out = self.mlp(torch.cat([x, self.estimator(memory.squeeze(0))], -1))
        return self.deterministic_output(out)


class _JitLatentLSTM(_TorchLSTMModel):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.obs_normalizer(x)
        memory, (h, c) = self.rnn(x.unsqueeze(0), (self.hidden_state, self.cell_state))
        self.hidden_state[:] = h
        self.cell_state[:] = c
        out = self.mlp(torch.cat([x, self.estimator(memory.squeeze(0))], -1))
        return self.deterministic_output(out)


class _OnnxLatentRNN(_OnnxRNNModel):
    def forward(self, obs: torch.Tensor, h_in: torch.Tensor, c_in: torch.Tensor | None = None):
        x = self.obs_normalizer(obs)
        if self.rnn_type == "lstm":
            memory, (h, c) = self.rnn(x.unsqueeze(0), (h_in, c_in))
        else:
            (memory, h), c = self.rnn(x.unsqueeze(0), h_in), None
        out = self.deterministic_output(self.mlp(torch.cat([x, self.estimator(memory.squeeze(0))], -1)))
        return out, h, c


class LatentDAgger(FeatureDAgger):
    """DAgger whose student estimates the teacher's privileged encoding (see the module docstring)."""

    def __init__(self, student, teacher, storage, head: str = "own", **kwargs) -> None:
        if not isinstance(teacher, LatentMLPModel) or not isinstance(student, LatentRNNModel):
            raise ValueError(
                "latent matching needs a LatentMLPModel teacher (rsl_rl_latent_teacher_cfg_entry_point) and a "
                f"LatentRNNModel student; got a {type(teacher).__name__} teacher and a {type(student).__name__} student"
            )
        if student.encoding_dim != teacher.encoding_dim:
            raise ValueError(
                f"the student estimates {student.encoding_dim} numbers, the teacher encodes {teacher.encoding_dim}"
            )
        if head not in ("own", "teacher"):
            raise ValueError(f"head must be 'own' or 'teacher', got '{head}'")
        shapes = [[tuple(p.shape) for p in m.mlp.parameters()] for m in (student, teacher)]
        if head == "teacher" and shapes[0] != shapes[1]:
            raise ValueError(
                "head='teacher' takes the teacher's head, so the student's must have its shape: student head "
                f"{shapes[0]}, teacher head {shapes[1]} (set agent.student.hidden_dims to the teacher's)"
            )
        kwargs = {"student_layers": ["estimator"], "teacher_layers": ["encoder"], "project": False, **kwargs}
        super().__init__(student, teacher, storage, **kwargs)
        self.head, self._head_taken = head, False

    def _take_teacher_head(self) -> None:
        """Make the student's head and its normalization of the policy terms the teacher's, frozen."""
        self.student.mlp.load_state_dict(self.teacher.mlp.state_dict())
        self.student.mlp.requires_grad_(False)
        if self.student.obs_normalization and self.teacher.obs_normalization:
            for name in ("_mean", "_var", "_std"):  # rsl_rl's EmpiricalNormalization buffers
                theirs = getattr(self.teacher.obs_normalizer, name)[..., : self.student.obs_dim]
                getattr(self.student.obs_normalizer, name).copy_(theirs)
            self.student.obs_normalizer.until = 0  # frozen: the head expects the teacher's scaling
        self._head_taken = True

    def act(self, obs):
        if self.head == "teacher" and not self._head_taken:
            self._take_teacher_head()
        return super().act(obs)
