"""A small exported policy (``policy.onnx``) as NumPy: its weights read from the ONNX graph into a chain of stages, a
NumPy-only step function, and the trajectories the microcontroller export is checked on.

The ONNX graph (as :func:`distill_lab.evaluation.export.export_policy` writes it) is read with the ``onnx`` package
into a chain of stages: the baked-in observation normalizer (``Sub`` mean, ``Div`` std + eps), at most one recurrent
layer (``GRU`` or ``LSTM``, one layer, forward), and ``Gemm``/``MatMul`` layers with ``Elu``/``Relu``/``Tanh``. Each
stage is computed as the graph computes it (no folding), so the NumPy step matches ONNX Runtime to float rounding.
:mod:`distill_lab.evaluation.microcontroller` writes the same stages as C.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper

from distill_lab.io import DistillLabError

MAX_PARAMS = 5000
"""Default parameter limit of a microcontroller export (weights and biases of the layers; the normalizer excluded)."""

PLUMBING = {"Identity", "Unsqueeze", "Squeeze", "Reshape", "Transpose", "Slice", "Flatten"}
"""Ops that only reshape the one sample's vector (batch and sequence axes of length 1)."""
ELEMENTWISE = {"Sub": np.subtract, "Add": np.add, "Mul": np.multiply, "Div": np.divide}
ACTIVATIONS = {"Elu", "Relu", "Tanh"}
SUPPORTED = "Sub/Add/Mul/Div by a constant (the normalizer), Gemm, MatMul, Elu, Relu, Tanh, one GRU or LSTM layer"


@dataclass
class Stage:
    """One step of the chain: ``op`` is an elementwise op, ``linear``, an activation, ``GRU`` or ``LSTM``."""

    op: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)  # float32; linear W is [out, in]
    alpha: float = 1.0  # Elu's
    source: str = ""  # the ONNX node, for the header's comments


@dataclass
class McuPolicy:
    """A policy read from ``policy.onnx``: its stages, sizes and deployment metadata; :meth:`step` runs it."""

    stages: list[Stage]
    obs_dim: int
    action_dim: int
    rnn_size: int  # hidden units of the recurrent layer, 0 for an MLP
    num_params: int
    meta: dict

    @property
    def rnn_type(self) -> str | None:
        """``GRU``, ``LSTM`` or None (an MLP)."""
        return next((s.op for s in self.stages if s.op in ("GRU", "LSTM")), None)

    @property
    def hidden_dim(self) -> int:
        """Floats of recurrent state: ``h`` (GRU), ``h`` then ``c`` (LSTM), none for an MLP."""
        return self.rnn_size * (2 if self.rnn_type == "LSTM" else 1)

    def initial_hidden(self) -> np.ndarray:
        """The recurrent state at the start of an episode (zeros)."""
        return np.zeros(self.hidden_dim, np.float32)

    def step(self, obs: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One control step in NumPy (float32): ``(actions, next hidden)``; leading batch axes are allowed."""
        x, hidden = np.asarray(obs, np.float32), np.asarray(hidden, np.float32)
        for s in self.stages:
            a = s.arrays
            if s.op in ELEMENTWISE:
                x = ELEMENTWISE[s.op](x, a["c"]).astype(np.float32)
            elif s.op == "linear":
                x = x @ a["W"].T + a["b"]
            elif s.op == "Elu":
                x = np.where(x > 0, x, np.float32(s.alpha) * (np.exp(np.minimum(x, 0)) - 1)).astype(np.float32)
            elif s.op == "Relu":
                x = np.maximum(x, 0)
            elif s.op == "Tanh":
                x = np.tanh(x)
            elif s.op == "GRU":
                h = hidden[..., : self.rnn_size]
                gx, gh = x @ a["W"].T + a["Wb"], h @ a["R"].T + a["Rb"]
                (zx, rx, nx), (zh, rh, nh) = np.split(gx, 3, axis=-1), np.split(gh, 3, axis=-1)
                z, r = _sigmoid(zx + zh), _sigmoid(rx + rh)
                x = hidden = (1 - z) * np.tanh(nx + r * nh) + z * h
            else:  # LSTM: gates i, o, f, c
                h, c = hidden[..., : self.rnn_size], hidden[..., self.rnn_size :]
                g = (x @ a["W"].T + a["Wb"]) + (h @ a["R"].T + a["Rb"])
                i, o, f, cc = np.split(g, 4, axis=-1)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(cc)
                x = _sigmoid(o) * np.tanh(c)
                hidden = np.concatenate([x, c], axis=-1)
        return x.astype(np.float32), hidden.astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1 / (1 + np.exp(-x))).astype(np.float32)


def load_onnx_policy(onnx_path: str, max_params: int = MAX_PARAMS) -> McuPolicy:
    """Read ``policy.onnx`` into a :class:`McuPolicy`; refuse a graph over ``max_params`` or with another layer."""
    if not os.path.isfile(onnx_path):
        raise DistillLabError(
            f"expected an exported policy.onnx (play.py writes <run>/exported/), found no file {onnx_path!r}."
        )
    try:
        model = onnx.load(onnx_path)
    except Exception as err:  # any parse failure is the user's file
        raise DistillLabError(f"expected an ONNX file at {onnx_path!r}, could not read it: {err}") from None
    graph = model.graph
    const = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            const[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    inputs = [i for i in graph.input if i.name not in const]
    names, outputs = [i.name for i in inputs], [o.name for o in graph.output]
    if not names or names[0] != "obs" or names[1:] not in ([], ["h_in"], ["h_in", "c_in"]) or not outputs:
        raise DistillLabError(
            f"{onnx_path}: expected inputs obs[, h_in[, c_in]] (distill_lab's export), found {names}."
        )
    width = inputs[0].type.tensor_type.shape.dim[-1].dim_value
    alias = {name: name for name in names}  # a dynamic tensor -> the tensor whose values it holds
    chain, stages, state_outputs, obs_dim = "obs", [], {}, width
    for node in graph.node:
        dynamic = [alias.get(name) for name in node.input]
        if not any(dynamic) or node.op_type in ("Constant", "Shape"):
            continue  # a constant or shape computation
        where = f"{onnx_path}: node {node.name or node.op_type} ({node.op_type})"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type in PLUMBING:
            alias[node.output[0]] = dynamic[0]
            continue
        if node.op_type in ("GRU", "LSTM"):
            if any(s.op in ("GRU", "LSTM") for s in stages):
                raise DistillLabError(f"{where}: expected one recurrent layer (a one-layer GRU or LSTM), found two.")
            stage = _rnn_stage(node, attrs, const, dynamic, chain, names, where)
            state_outputs.update(zip(("h_out", "c_out"), node.output[1:], strict=False))
            alias.update({name: name for name in node.output})
        elif [d for d in dynamic if d] != [chain]:
            raise DistillLabError(f"{where}: expected one chain from obs to actions, found inputs {list(node.input)}.")
        else:
            stage = _stage(node, attrs, const, dynamic, where)
        w, c = stage.arrays.get("W"), stage.arrays.get("c")
        if width and (w is not None and w.shape[1] != width or c is not None and c.size not in (1, width)):
            found = list(w.shape if w is not None else c.shape)
            raise DistillLabError(f"{where}: expected weights for an input of {width}, found shape {found}.")
        if w is not None:
            obs_dim, width = obs_dim or w.shape[1], w.shape[0]
        if stage.op in ("GRU", "LSTM"):
            width = stage.arrays["R"].shape[1]
        stages.append(stage)
        chain = alias[node.output[0]] = node.output[0]
    if outputs[0] != "actions" or alias.get("actions") != chain:
        raise DistillLabError(f"{onnx_path}: expected the output 'actions' at the end of the chain, found {outputs}.")
    for name in outputs[1:]:
        if name not in state_outputs or alias.get(name) != state_outputs[name]:
            raise DistillLabError(f"{onnx_path}: expected output {name!r} to be the recurrent layer's state.")
    rnn = [s for s in stages if s.op in ("GRU", "LSTM")]
    if not any(s.op == "linear" for s in stages):
        raise DistillLabError(f"{onnx_path}: expected a Gemm/MatMul layer, found none (ops: {[s.op for s in stages]}).")
    num_params = sum(v.size for s in stages if s.op in ("linear", "GRU", "LSTM") for v in s.arrays.values())
    if num_params > max_params:
        raise DistillLabError(
            f"{onnx_path} has {num_params:,} parameters; a microcontroller export expects at most {max_params:,} "
            f"(e.g. the tiny student, rsl_rl_dagger_tiny_cfg_entry_point; or raise --max_params)."
        )
    meta = {p.key: json.loads(p.value) for p in model.metadata_props}
    return McuPolicy(
        stages, int(obs_dim), int(width), int(rnn[0].arrays["R"].shape[1]) if rnn else 0, int(num_params), meta
    )


def _f32(value: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(value, dtype=np.float32)


def _const(const: dict, name: str, where: str) -> np.ndarray:
    """The constant (initializer or Constant node) ``name``; weights computed at run time are refused."""
    if name not in const:
        raise DistillLabError(f"{where}: expected constant weights, found {name!r} computed in the graph.")
    return const[name]


def _stage(node, attrs: dict, const: dict, dynamic: list, where: str) -> Stage:
    """A non-recurrent stage; refuses anything outside :data:`SUPPORTED`."""
    op = node.op_type
    if op in ELEMENTWISE:
        if op in ("Sub", "Div") and not dynamic[0]:
            raise DistillLabError(f"{where}: expected the constant on the right of {op}, found it on the left.")
        c = _f32(_const(const, node.input[1] if dynamic[0] else node.input[0], where)).reshape(-1)
        return Stage(op, {"c": c}, source=node.name)
    if op == "Gemm":
        if attrs.get("transA", 0) or not dynamic[0]:
            raise DistillLabError(f"{where}: expected Gemm(x, W, b) without transA, found another form.")
        w = _const(const, node.input[1], where) * np.float32(attrs.get("alpha", 1.0))
        w = w if attrs.get("transB", 0) else w.T
        has_bias = len(node.input) > 2 and node.input[2]
        b = _const(const, node.input[2], where) * np.float32(attrs.get("beta", 1.0)) if has_bias else 0
        return Stage("linear", {"W": _f32(w), "b": _f32(np.broadcast_to(b, w.shape[:1]))}, source=node.name)
    if op == "MatMul" and dynamic[0]:
        w = _f32(_const(const, node.input[1], where).T)
        return Stage("linear", {"W": w, "b": np.zeros(w.shape[0], np.float32)}, source=node.name)
    if op in ACTIVATIONS:
        return Stage(op, alpha=float(attrs.get("alpha", 1.0)), source=node.name)
    raise DistillLabError(f"{where}: unsupported layer; a microcontroller export supports {SUPPORTED}.")


def _rnn_stage(node, attrs: dict, const: dict, dynamic: list, chain: str, names: list, where: str) -> Stage:
    """A one-layer, forward GRU (PyTorch's ``linear_before_reset``) or LSTM (no peepholes) with its state inputs."""
    op, gates = node.op_type, 3 if node.op_type == "GRU" else 4
    state = ["h_in"] + (["c_in"] if op == "LSTM" else [])
    given = [dynamic[k] if len(dynamic) > k else None for k in (5, 6)[: len(state)]]
    odd = {k: v for k, v in attrs.items() if k in ("activations", "clip", "input_forget") and v}
    peepholes = len(node.input) > 7 and node.input[7]
    if attrs.get("direction", b"forward") not in (b"forward", "forward") or odd or peepholes:
        raise DistillLabError(f"{where}: expected a forward {op} with default activations, found {attrs}.")
    if op == "GRU" and not attrs.get("linear_before_reset", 0):
        raise DistillLabError(f"{where}: expected linear_before_reset=1 (PyTorch's GRU), found 0.")
    if dynamic[0] != chain or given != state or names[1:] != state:
        raise DistillLabError(f"{where}: expected {op}(x, ..., {', '.join(state)}), found inputs {list(node.input)}.")
    w, r = _const(const, node.input[1], where), _const(const, node.input[2], where)
    if w.shape[0] != 1:
        raise DistillLabError(f"{where}: expected a one-direction {op}, found weights of shape {list(w.shape)}.")
    size = r.shape[-1]
    has_bias = len(node.input) > 3 and node.input[3]
    b = _const(const, node.input[3], where).reshape(-1) if has_bias else np.zeros(2 * gates * size)
    arrays = {"W": _f32(w[0]), "R": _f32(r[0]), "Wb": _f32(b[: gates * size]), "Rb": _f32(b[gates * size :])}
    return Stage(op, arrays, source=node.name)


def synthetic_trajectory(policy: McuPolicy, steps: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(obs [steps, D], resets [steps])``: smooth random observations at the scale of the normalizer's statistics
    (mean + std * a unit AR(1) signal), one reset halfway; used when no recorded dataset is given."""
    rng = np.random.default_rng(seed)
    mean, scale = np.zeros(policy.obs_dim, np.float32), np.ones(policy.obs_dim, np.float32)
    for s in policy.stages:
        if s.op in ("GRU", "LSTM", "linear"):
            break
        if s.op == "Sub":
            mean = s.arrays["c"] * np.ones_like(mean)
        elif s.op == "Div":
            scale = s.arrays["c"] * np.ones_like(scale)
    signal = np.zeros((steps, policy.obs_dim), np.float32)
    for t in range(1, steps):
        signal[t] = 0.95 * signal[t - 1] + np.sqrt(1 - 0.95**2) * rng.standard_normal(policy.obs_dim)
    resets = np.zeros(steps, bool)
    resets[steps // 2] = True
    return (mean + scale * signal).astype(np.float32), resets


def recorded_trajectory(dataset_path: str, policy: McuPolicy, env: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(obs [S, D], resets [S])`` of env ``env`` in a ``collect.py`` dataset: the policy's obs groups (from the
    ONNX metadata, default ``policy``) concatenated; a reset where the previous step ended an episode."""
    from distill_lab.io.dataset import load_dataset  # torch: only for reading the dataset file

    data = load_dataset(dataset_path)
    groups = list(dict.fromkeys(o["group"] for o in policy.meta.get("observations", []))) or ["policy"]
    missing = [g for g in groups if g not in data["obs"]]
    if missing:
        raise DistillLabError(f"{dataset_path}: expected obs groups {groups}, found {sorted(data['obs'])}.")
    obs = np.concatenate([data["obs"][g][:, env].float().numpy() for g in groups], axis=-1)
    if obs.shape[-1] != policy.obs_dim:
        raise DistillLabError(
            f"{dataset_path}: expected {policy.obs_dim} observations per step, found {obs.shape[-1]}."
        )
    dones = data["dones"][:, env].numpy()
    return obs.astype(np.float32), np.concatenate([[False], dones[:-1]])


def onnx_trajectory(onnx_path: str, obs: np.ndarray, resets: np.ndarray) -> np.ndarray:
    """Actions of the ONNX file (onnxruntime, batch 1) along ``obs``, its state zeroed at ``resets``."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    inputs, out_names = session.get_inputs(), [o.name for o in session.get_outputs()]
    zeros = {i.name: np.zeros([d if isinstance(d, int) else 1 for d in i.shape], np.float32) for i in inputs[1:]}
    state, actions = dict(zeros), []
    for x, reset in zip(obs, resets, strict=True):
        state = dict(zeros) if reset else state
        outputs = session.run(None, {inputs[0].name: x[None], **state})
        actions.append(outputs[0][0])
        state |= {name.replace("_out", "_in"): value for name, value in zip(out_names[1:], outputs[1:], strict=True)}
    return np.stack(actions)


def numpy_trajectory(policy: McuPolicy, obs: np.ndarray, resets: np.ndarray) -> np.ndarray:
    """Actions of :meth:`McuPolicy.step` along ``obs``, its state zeroed at ``resets``."""
    hidden, actions = policy.initial_hidden(), []
    for x, reset in zip(obs, resets, strict=True):
        action, hidden = policy.step(x, policy.initial_hidden() if reset else hidden)
        actions.append(action)
    return np.stack(actions)
