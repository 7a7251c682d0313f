"""Export a checkpoint for deployment without playing it: TorchScript, ONNX (with its deployment metadata) and, for a
small policy, a microcontroller C header.

    export.py --task Quadcopter-Point-Ctrl --agent rsl_rl_dagger_tiny_cfg_entry_point [--checkpoint PATH|latest]
        [--formats jit onnx c] [--out DIR] [--max_params 5000]
The checkpoint is found as play.py finds it (the newest run of the agent's experiment, or --load_run / --checkpoint).
The files go to <run>/exported/ (a shipped checkpoint's to logs/rsl_rl/<experiment>/pretrained_<name>/exported/)
unless --out says otherwise. Both files are checked against the in-memory policy along a short rollout
(--parity_steps); the C header (policy.h and its harness main.c) against the ONNX file, in NumPy and, with a C compiler
on the PATH, compiled.
"""

from __future__ import annotations

import json
import os

from distill_lab.evaluation.export import check_export_parity, export_policy
from distill_lab.evaluation.microcontroller import MAX_PARAMS, export_c
from distill_lab.evaluation.rollout import rollout
from distill_lab.io import DistillLabError, output_folder
from distill_lab.runners import run_kind

from .args import make_parser
from .configs import hydra_task_config
from .resolve import to_play
from .session import open_runner

FORMATS = ("jit", "onnx", "c")
"""What can be exported: TorchScript (``policy.pt``), ONNX (``policy.onnx``), a C99 header (``policy.h``)."""

PARSER = make_parser(__doc__)
PARSER.add_argument("--formats", nargs="+", choices=FORMATS, default=["jit", "onnx"], help="What to write.")
PARSER.add_argument("--out", default=None, help="Output folder (default: <run>/exported).")
PARSER.add_argument("--parity_steps", type=int, default=50, help="Env steps of the parity check's rollout.")
PARSER.add_argument("--max_params", type=int, default=MAX_PARAMS, help="Largest policy the C export takes.")


@hydra_task_config(PARSER, play=True)
def main(env_cfg, agent_cfg, args, overrides) -> dict:
    """Export as the flags say; return what was written and the parity errors (also printed as JSON)."""
    if args.parity_steps <= 0:
        raise DistillLabError(f"--parity_steps must be a positive integer, got {args.parity_steps}.")
    start = to_play(args, args.task, agent_cfg, run_kind(agent_cfg))
    start.configure(env_cfg, agent_cfg, overrides, teacher_conditions=False)
    out = os.path.abspath(args.out or os.path.join(output_folder(start.path, agent_cfg.experiment_name), "exported"))
    with open_runner(args.task, env_cfg, agent_cfg, args) as (env, runner):
        start.load_into(runner)
        jit_path, onnx_path = export_policy(runner, out, env)  # ONNX is the contract the C export reads too
        trace = rollout(env, runner.get_inference_policy(device=runner.device), args.parity_steps, desc="parity").trace
        error = check_export_parity(jit_path, onnx_path, trace)
    result = {"checkpoint": start.path, "jit": jit_path, "onnx": onnx_path, "max_action_difference": error}
    if "jit" not in args.formats:
        os.remove(result.pop("jit"))
    if "c" in args.formats:
        result["c"] = export_c(onnx_path, out, args.max_params)
    if "onnx" not in args.formats:
        os.remove(result.pop("onnx"))
    print(f"[INFO] Exported {start.path} to {out} (max action difference {error:.1e}).")
    print("[RESULT] " + json.dumps(result))
    return result
