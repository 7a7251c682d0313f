"""Feature matching: DAgger whose student also matches the teacher's intermediate representations.

Choose it with ``algorithm.class_name = "distill_lab.distillation.feature:FeatureDAgger"``. Pairs of layers (student,
teacher) are named by module (``mlp.3``) or ``last_hidden`` (the activation before the output layer). The teacher's
features are recorded along the rollout with its labels and kept in the buffer with them, so replayed transitions
carry them; the student's pass through a learned linear projection (student width -> teacher width, trained with the
student; ``project=False``: none, for layers of equal width) and are compared by L2 (mean squared error) or cosine
distance. The feature loss, weighted by ``feature_coef`` (constant, or decaying linearly to 0 over
``feature_decay_iterations``), is added to the action loss.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn as nn
import torch.nn.functional as F

from .dagger import DAgger


def layer(model: nn.Module, name: str) -> tuple[nn.Module, int]:
    """The module ``name`` of ``model`` (``last_hidden``: the activation before its last linear layer) and the width
    of its output."""
    layers = list(model.mlp)
    linears = [i for i, m in enumerate(layers) if isinstance(m, nn.Linear)]
    if name == "last_hidden":
        if len(linears) < 2:
            raise ValueError(f"{type(model).__name__} has no hidden layer to match ('last_hidden')")
        return layers[linears[-1] - 1], layers[linears[-1]].in_features
    modules = dict(model.named_modules())
    if name not in modules:
        raise ValueError(f"no layer '{name}' to match; the model's MLP layers are mlp.0 ... mlp.{len(layers) - 1}")
    module = modules[name]
    if any(module is m for m in layers) and not isinstance(module, nn.Linear):  # an activation: the next layer's input
        return module, next(layers[i] for i in linears if i > layers.index(module)).in_features
    last = [m for m in module.modules() if isinstance(m, nn.Linear)]
    if not last:
        raise ValueError(f"layer '{name}' of {type(model).__name__} has no linear layer to take its width from")
    return module, last[-1].out_features


class FeatureDAgger(DAgger):
    """DAgger plus a loss on the student's features against the teacher's (see the module docstring)."""

    fused_sequences = False  # the layer hooks record one step at a time

    def __init__(
        self,
        student,
        teacher,
        storage,
        student_layers: list[str] = ("last_hidden",),
        teacher_layers: list[str] = ("last_hidden",),
        feature_coef: float = 1.0,
        feature_decay_iterations: int = 0,
        feature_loss: str = "l2",
        project: bool = True,
        **kwargs,
    ) -> None:
        if feature_loss not in ("l2", "cosine"):
            raise ValueError(f"feature_loss must be 'l2' or 'cosine', got '{feature_loss}'")
        if len(student_layers) != len(teacher_layers):
            raise ValueError(f"{len(student_layers)} student layers for {len(teacher_layers)} teacher layers")
        super().__init__(student, teacher, storage, **kwargs)
        self.feature_coef, self.feature_loss = feature_coef, feature_loss
        self.feature_decay_iterations = feature_decay_iterations
        self._features = {"student": [None] * len(student_layers), "teacher": [None] * len(teacher_layers)}
        widths, self._hooked = [], {"student": [], "teacher": []}
        for who, model, names in (("student", student, student_layers), ("teacher", teacher, teacher_layers)):
            for name in names:
                module, width = layer(model, name)
                self._hooked[who].append(module)
                widths.append(width)
        n = len(student_layers)
        pairs = list(zip(widths[:n], widths[n:], strict=True))
        if not project and any(s != t for s, t in pairs):
            raise ValueError(f"without a projection the matched widths must be equal; (student, teacher): {pairs}")
        self.projections = nn.ModuleList(nn.Linear(s, t) if project else nn.Identity() for s, t in pairs)
        self.projections.to(self.device)
        if project:
            self.optimizer.add_param_group({"params": self.projections.parameters()})
        self._rollout_features: list[torch.Tensor] = []
        self._feature_losses: list[float] = []
        self.teacher_width = sum(widths[n:])

    @contextlib.contextmanager
    def _recording(self, who: str):
        """Record the outputs of ``who``'s matched layers while inside (hooks only for that time, so the models
        stay plain for export)."""

        def recorder(i: int):
            def record(module, inputs, output):
                self._features[who][i] = output

            return record

        handles = [m.register_forward_hook(recorder(i)) for i, m in enumerate(self._hooked[who])]
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    @property
    def coef(self) -> float:
        """The feature loss's weight at the current iteration."""
        return self.coef_at(self.num_updates)

    def coef_at(self, iteration: int) -> float:
        """The feature loss's weight at ``iteration``."""
        if not self.feature_decay_iterations:
            return self.feature_coef
        return self.feature_coef * max(0.0, 1.0 - iteration / self.feature_decay_iterations)

    def _label(self, obs):
        with self._recording("teacher"):
            actions = super()._label(obs)
        self._rollout_features.append(torch.cat(self._features["teacher"], -1).detach())
        return actions

    def _student_output(self, obs):
        with self._recording("student"):
            return super()._student_output(obs)

    def _targets(self) -> torch.Tensor:
        targets = torch.cat([super()._targets(), torch.stack(self._rollout_features)], -1)
        self._rollout_features.clear()
        return targets

    def _loss(self, mean, std, target, obs=None) -> torch.Tensor:
        actions = mean.shape[-1]
        loss = super()._loss(mean, std, target[..., :actions], obs)
        coef = self.coef_at(self.learning_iteration)  # the iteration of these gradient steps (asynchronous: the last)
        if coef == 0.0:
            return loss
        features = torch.cat([p(f) for p, f in zip(self.projections, self._features["student"], strict=True)], -1)
        wanted = target[..., actions:]
        if self.feature_loss == "l2":
            distance = (features - wanted).square().mean(-1)
        else:
            distance = 1.0 - F.cosine_similarity(features, wanted, dim=-1)
        self._feature_losses.append(distance.mean().item())
        return loss + coef * distance

    def _learn(self) -> dict[str, float]:
        self._feature_losses = []
        logged = super()._learn()
        if self._feature_losses:
            logged["feature"] = sum(self._feature_losses) / len(self._feature_losses)
        return logged

    def update(self) -> dict[str, float]:
        logged = super().update()
        logged["feature_coef"] = self.coef
        return logged

    def save(self) -> dict:
        saved = super().save()
        saved["distill_state"]["projections"] = self.projections.state_dict()
        return saved

    def load(self, loaded_dict: dict, load_cfg: dict | None, strict: bool) -> bool:
        load_iteration = super().load(loaded_dict, load_cfg, strict)
        projections = loaded_dict.get("distill_state", {}).get("projections")
        if load_iteration and projections is not None:
            self.projections.load_state_dict(projections)
        return load_iteration
