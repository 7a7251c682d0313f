"""Export a small exported policy (``policy.onnx``) for microcontrollers: its weights and a plain-C99 step function
in one header, a NumPy-only reference step from the same weights, and a parity check of both against the ONNX file.

The ONNX graph (as :func:`distill_lab.evaluation.export.export_policy` writes it) is read with the ``onnx`` package
into a chain of stages: the baked-in observation normalizer (``Sub`` mean, ``Div`` std + eps), at most one recurrent
layer (``GRU`` or ``LSTM``, one layer, forward), and ``Gemm``/``MatMul`` layers with ``Elu``/``Relu``/``Tanh``. Each
stage is computed as the graph computes it (no folding), so the C and NumPy steps match ONNX Runtime to float rounding.
Neither needs torch nor onnxruntime; only the parity check runs the ONNX file.

    policy_step(const float *obs, float *hidden /* in/out: h, then c for an LSTM */, float *actions)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper

from distill_lab.io import DistillLabError, write_atomic

MAX_PARAMS = 5000
"""Default parameter limit of a microcontroller export (weights and biases of the layers; the normalizer excluded)."""

PLUMBING = {"Identity", "Unsqueeze", "Squeeze", "Reshape", "Transpose", "Slice", "Flatten"}
"""Ops that only reshape the one sample's vector (batch and sequence axes of length 1)."""
ELEMENTWISE = {"Sub": np.subtract, "Add": np.add, "Mul": np.multiply, "Div": np.divide}
ACTIVATIONS = {"Elu", "Relu", "Tanh"}
SUPPORTED = "Sub/Add/Mul/Div by a constant (the normalizer), Gemm, MatMul, Elu, Relu, Tanh, one GRU or LSTM layer"

HARNESS_C = """\
/* Test harness for policy.h: reads frames of (reset flag, POLICY_OBS_DIM observations) as float32 from stdin and
 * writes POLICY_ACTION_DIM float32 actions per frame to stdout. The reset flag zeroes the recurrent state first.
 * Build: cc -std=c99 -O2 main.c -o policy_harness -lm */
#include <stdio.h>
#include <string.h>
#include "policy.h"

int main(void) {
    float frame[1 + POLICY_OBS_DIM], actions[POLICY_ACTION_DIM];
    float hidden[POLICY_HIDDEN_DIM + 1] = {0}; /* + 1: no zero-sized array for an MLP */
    while (fread(frame, sizeof(float), 1 + POLICY_OBS_DIM, stdin) == 1 + POLICY_OBS_DIM) {
        if (frame[0] != 0.0f) memset(hidden, 0, sizeof(hidden));
        policy_step(frame + 1, hidden, actions);
        if (fwrite(actions, sizeof(float), POLICY_ACTION_DIM, stdout) != POLICY_ACTION_DIM) return 1;
    }
    return 0;
}
"""


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
        raise DistillLabError(f"expected an exported policy.onnx (play.py writes <run>/exported/), found no file "
                              f"{onnx_path!r}.")  # fmt: skip
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
    return McuPolicy(stages, int(obs_dim), int(width), int(rnn[0].arrays["R"].shape[1]) if rnn else 0,
                     int(num_params), meta)  # fmt: skip


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


def _c_float(value: float) -> str:
    """A float32 literal that reads back exactly."""
    return np.format_float_scientific(np.float32(value), unique=True, trim="-") + "f"


def _c_array(name: str, value: np.ndarray, note: str) -> str:
    if not np.isfinite(value).all():
        raise DistillLabError(f"expected finite weights, found NaN or Inf in {note}.")
    body = ", ".join(_c_float(v) for v in value.reshape(-1))
    shape = "][".join(str(d) for d in value.shape)
    return f"/* {note}: [{shape}], row-major */\nstatic const float {name}[{value.size}] = {{{body}}};\n"


GRU_C = """
/* GRU: z = s(Wz x + Rz h), r = s(Wr x + Rr h), n = tanh(Wn x + r * (Rn h)), h = (1 - z) n + z h (biases included) */
static inline void policy_gru_(const float *W, const float *Wb, const float *R, const float *Rb, int H, int in,
                               const float *x, float *h, float *gx, float *gh) {
    int k;
    policy_linear_(W, Wb, 3 * H, in, x, gx);
    policy_linear_(R, Rb, 3 * H, H, h, gh);
    for (k = 0; k < H; ++k) {
        float z = policy_sigmoid_(gx[k] + gh[k]);
        float r = policy_sigmoid_(gx[H + k] + gh[H + k]);
        float n = tanhf(gx[2 * H + k] + r * gh[2 * H + k]);
        h[k] = (1.0f - z) * n + z * h[k];
    }
}
"""
"""C of a GRU step (ONNX gate order z, r, n; PyTorch's reset applied after the recurrent product)."""

LSTM_C = """
/* LSTM: c = s(f) c + s(i) tanh(g), h = s(o) tanh(c), gates i, o, f, g = W x + R h (biases included) */
static inline void policy_lstm_(const float *W, const float *Wb, const float *R, const float *Rb, int H, int in,
                                const float *x, float *hc, float *gx, float *gh) {
    int k;
    policy_linear_(W, Wb, 4 * H, in, x, gx);
    policy_linear_(R, Rb, 4 * H, H, hc, gh);
    for (k = 0; k < H; ++k) {
        float i = gx[k] + gh[k], o = gx[H + k] + gh[H + k];
        float f = gx[2 * H + k] + gh[2 * H + k], g = gx[3 * H + k] + gh[3 * H + k];
        float c = policy_sigmoid_(f) * hc[H + k] + policy_sigmoid_(i) * tanhf(g);
        hc[H + k] = c;
        hc[k] = policy_sigmoid_(o) * tanhf(c);
    }
}
"""
"""C of an LSTM step (ONNX gate order i, o, f, c); ``hc`` holds h, then c."""


def header_source(policy: McuPolicy, name: str = "policy.onnx") -> str:
    """The text of ``policy.h``: dims, weights and ``policy_step`` (C99, no malloc, libm's expf and tanhf only)."""
    linear = [s.arrays["W"].shape[0] for s in policy.stages if s.op == "linear"]
    width = max([policy.obs_dim, policy.rnn_size, *linear])
    gates = {"GRU": 3, "LSTM": 4}.get(policy.rnn_type or "", 0) * policy.rnn_size or 1
    arrays, body, n, layer = [], [], policy.obs_dim, 0
    for k, s in enumerate(policy.stages):
        before_layers = all(p.op in ELEMENTWISE for p in policy.stages[:k])
        prefix = {"Sub": "OBS_MEAN", "Div": "OBS_STD_EPS"}.get(s.op) if before_layers else None
        prefix = prefix or (s.op if s.op in ("GRU", "LSTM") else f"FC{layer}" if s.op == "linear" else f"STAGE{k}")
        layer += s.op == "linear"
        names = {key: "POLICY_" + (prefix if key == "c" else f"{prefix}_{key.upper()}") for key in s.arrays}
        arrays += [_c_array(names[key], v, f"{s.op} {key} (ONNX node {s.source})") for key, v in s.arrays.items()]
        if s.op in ELEMENTWISE:
            sym = {"Sub": "-", "Add": "+", "Mul": "*", "Div": "/"}[s.op]
            c = f"{names['c']}[i]" if s.arrays["c"].size > 1 else f"{names['c']}[0]"
            body.append(f"    for (i = 0; i < {n}; ++i) x[i] = x[i] {sym} {c};")
        elif s.op == "linear":
            m = s.arrays["W"].shape[0]
            body.append(f"    policy_linear_({names['W']}, {names['b']}, {m}, {n}, x, y);")
            body.append(f"    for (i = 0; i < {m}; ++i) x[i] = y[i];")
            n = m
        elif s.op in ACTIVATIONS:
            expr = {"Elu": f"x[i] > 0.0f ? x[i] : {_c_float(s.alpha)} * (expf(x[i]) - 1.0f)",
                    "Relu": "x[i] > 0.0f ? x[i] : 0.0f", "Tanh": "tanhf(x[i])"}[s.op]  # fmt: skip
            body.append(f"    for (i = 0; i < {n}; ++i) x[i] = {expr};")
        else:
            h, args = policy.rnn_size, f"{names['W']}, {names['Wb']}, {names['R']}, {names['Rb']}"
            body.append(f"    policy_{s.op.lower()}_({args}, {h}, {n}, x, hidden, gx, gh);")
            body.append(f"    for (i = 0; i < {h}; ++i) x[i] = hidden[i];")
            n = h
    meta = policy.meta
    obs = ", ".join(f"{o['term']}[{o['dim']}]" for o in meta.get("observations", [])) or "see the ONNX metadata"
    acts = ", ".join(f"{a['term']}[{a['dim']}]" for a in meta.get("actions", [])) or "see the ONNX metadata"
    rnn = {"GRU": GRU_C, "LSTM": LSTM_C}.get(policy.rnn_type or "", "")
    return f"""\
/* policy.h: {name} as plain C99 for a microcontroller; generated by distill_lab.evaluation.microcontroller.
 * {policy.num_params:,} parameters ({policy.rnn_type or "MLP"}), float32; no malloc; libm: expf, tanhf.
 * observations ({policy.obs_dim}): {obs}
 * actions ({policy.action_dim}): {acts}
 * control rate: {meta.get("control_rate_hz", "?")} Hz. The normalizer (obs - mean) / (std + eps) is applied inside.
 * Usage: float hidden[POLICY_HIDDEN_DIM] = {{0}};  (zero it when an episode starts)
 *        policy_step(obs, hidden, actions);       (every control step; hidden is h, then c for an LSTM) */
#ifndef DISTILL_LAB_POLICY_H
#define DISTILL_LAB_POLICY_H

#include <math.h>

#define POLICY_OBS_DIM {policy.obs_dim}
#define POLICY_ACTION_DIM {policy.action_dim}
#define POLICY_HIDDEN_DIM {policy.hidden_dim}
#define POLICY_NUM_PARAMS {policy.num_params}
#define POLICY_MAX_WIDTH {width}
#define POLICY_GATE_DIM {gates}

{"".join(arrays)}
/* y[out] = W[out][in] x + b */
static inline void policy_linear_(const float *W, const float *b, int out, int in, const float *x, float *y) {{
    int o, i;
    for (o = 0; o < out; ++o) {{
        float acc = b[o];
        for (i = 0; i < in; ++i) acc += W[o * in + i] * x[i];
        y[o] = acc;
    }}
}}

static inline float policy_sigmoid_(float v) {{ return 1.0f / (1.0f + expf(-v)); }}
{rnn}
/* One control step: obs[POLICY_OBS_DIM] -> actions[POLICY_ACTION_DIM]; hidden[POLICY_HIDDEN_DIM] is updated. */
static inline void policy_step(const float *obs, float *hidden, float *actions) {{
    float x[POLICY_MAX_WIDTH], y[POLICY_MAX_WIDTH], gx[POLICY_GATE_DIM], gh[POLICY_GATE_DIM];
    int i;
    (void)hidden;
    (void)gx;
    (void)gh;
    for (i = 0; i < POLICY_OBS_DIM; ++i) x[i] = obs[i];
{chr(10).join(body)}
    for (i = 0; i < POLICY_ACTION_DIM; ++i) actions[i] = x[i];
}}

#endif /* DISTILL_LAB_POLICY_H */
"""


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


def compiler() -> str | None:
    """A C compiler on the PATH (``$CC``, ``cc``, ``gcc``, ``clang``), or None."""
    candidates = [os.environ.get("CC", ""), "cc", "gcc", "clang"]
    return next((path for path in map(shutil.which, filter(None, candidates)) if path), None)


def c_trajectory(header: str, obs: np.ndarray, resets: np.ndarray, cc: str) -> np.ndarray:
    """Compile ``header`` with :data:`HARNESS_C` (``-std=c99 -Wall -Wextra -pedantic -Werror``), run it along
    ``obs`` and return its actions."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(header, os.path.join(tmp, "policy.h"))
        with open(os.path.join(tmp, "main.c"), "w") as f:
            f.write(HARNESS_C)
        exe = os.path.join(tmp, "policy_harness")
        flags = ["-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror"]
        build = subprocess.run([cc, *flags, "main.c", "-o", exe, "-lm"], cwd=tmp, capture_output=True, text=True)
        if build.returncode:
            raise DistillLabError(f"expected {header} to compile with {cc} {' '.join(flags)}, found:\n{build.stderr}")
        frames = np.concatenate([resets[:, None].astype(np.float32), obs], axis=1).astype(np.float32)
        out = subprocess.run([exe], input=frames.tobytes(), capture_output=True, check=True).stdout
    return np.frombuffer(out, np.float32).reshape(len(obs), -1)


def _write_text(path: str, text: str) -> str:
    def write(tmp: str) -> None:
        with open(tmp, "w") as f:
            f.write(text)

    return write_atomic(path, write)


def export_c(
    onnx_path: str,
    out_dir: str | None = None,
    max_params: int = MAX_PARAMS,
    dataset: str | None = None,
    steps: int = 500,
    harness: bool = True,
    atol: float = 1e-4,
) -> dict:
    """Write ``policy.h`` (and the ``main.c`` harness) for ``onnx_path``, next to it by default; check the NumPy step
    and, when a C compiler is on the PATH, the compiled header against the ONNX file along a trajectory (env 0 of
    ``dataset``, a ``collect.py`` file, else :func:`synthetic_trajectory`); raise if either differs by over ``atol``.
    """
    policy = load_onnx_policy(onnx_path, max_params)
    out_dir = out_dir or os.path.dirname(os.path.abspath(onnx_path))
    os.makedirs(out_dir, exist_ok=True)
    header = os.path.join(out_dir, "policy.h")
    files = [_write_text(header, header_source(policy, os.path.basename(onnx_path)))]
    if harness:
        files.append(_write_text(os.path.join(out_dir, "main.c"), HARNESS_C))
    obs, resets = recorded_trajectory(dataset, policy) if dataset else synthetic_trajectory(policy, steps)
    reference = onnx_trajectory(onnx_path, obs, resets)
    errors = {"numpy": float(np.abs(numpy_trajectory(policy, obs, resets) - reference).max())}
    cc = compiler()
    errors["c"] = float(np.abs(c_trajectory(header, obs, resets, cc) - reference).max()) if cc else None
    result = {
        "files": files,
        "num_params": policy.num_params,
        "architecture": policy.rnn_type or "MLP",
        "trajectory": {"source": dataset or "synthetic", "steps": len(obs), "resets": int(resets.sum())},
        "max_abs_difference": errors,
        "compiler": cc,
    }
    worst = max(e for e in errors.values() if e is not None)
    if not worst <= atol:
        raise DistillLabError(f"expected the C/NumPy step to match {onnx_path} within {atol:.0e}, found {errors}.")
    return result
