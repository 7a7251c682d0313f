"""Export a small exported policy (``policy.onnx``) for microcontrollers: its weights and a plain-C99 step function
in one header (the stages of :mod:`distill_lab.evaluation.mcu_policy`), compiled and checked against the NumPy step
and the ONNX file.

The ONNX graph (as :func:`distill_lab.evaluation.export.export_policy` writes it) is read with the ``onnx`` package
into a chain of stages: the baked-in observation normalizer (``Sub`` mean, ``Div`` std + eps), at most one recurrent
layer (``GRU`` or ``LSTM``, one layer, forward), and ``Gemm``/``MatMul`` layers with ``Elu``/``Relu``/``Tanh``. Each
stage is computed as the graph computes it (no folding), so the C and NumPy steps match ONNX Runtime to float rounding.
Neither needs torch nor onnxruntime; only the parity check runs the ONNX file.

    policy_step(const float *obs, float *hidden /* in/out: h, then c for an LSTM */, float *actions)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import numpy as np

from distill_lab.io import DistillLabError, write_atomic

from .mcu_policy import (  # noqa: F401  (the export's whole interface, in one place)
    ACTIVATIONS,
    ELEMENTWISE,
    MAX_PARAMS,
    McuPolicy,
    load_onnx_policy,
    numpy_trajectory,
    onnx_trajectory,
    recorded_trajectory,
    synthetic_trajectory,
)

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
            expr = {
                "Elu": f"x[i] > 0.0f ? x[i] : {_c_float(s.alpha)} * (expf(x[i]) - 1.0f)",
                "Relu": "x[i] > 0.0f ? x[i] : 0.0f",
                "Tanh": "tanhf(x[i])",
            }[s.op]
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
