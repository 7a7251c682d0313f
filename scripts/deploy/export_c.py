"""Export a small policy for a microcontroller: ``policy.h`` (weights + a plain-C99 ``policy_step``) and a test
harness ``main.c``, checked against the ONNX file: :mod:`distill_lab.evaluation.microcontroller`.

    python scripts/deploy/export_c.py --onnx logs/rsl_rl/<experiment>/<run>/exported/policy.onnx [--out DIR]
        [--dataset datasets/quadcopter_teacher.pt] [--max_params 5000]

The files go next to the ONNX file by default. A NumPy step from the same weights and, when a C compiler is on the
PATH, the compiled header are run along a trajectory (env 0 of a collect.py --dataset, else smooth random
observations at the normalizer's scale) and compared with onnxruntime; above --atol it fails.
"""

from __future__ import annotations

import argparse
import json

from distill_lab.evaluation.microcontroller import MAX_PARAMS, export_c
from distill_lab.io import run_cli


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--onnx", required=True, help="The exported policy.onnx (play.py writes <run>/exported/).")
    parser.add_argument("--out", default=None, help="Folder for policy.h and main.c (default: the ONNX file's).")
    parser.add_argument("--dataset", default=None, help="A collect.py dataset whose env 0 is the trajectory.")
    parser.add_argument("--steps", type=int, default=500, help="Steps of the synthetic trajectory (no --dataset).")
    parser.add_argument("--max_params", type=int, default=MAX_PARAMS, help="Refuse a larger policy.")
    parser.add_argument("--atol", type=float, default=1e-4, help="Largest allowed action difference to ONNX.")
    parser.add_argument("--no_harness", action="store_true", help="Do not write main.c.")
    args = parser.parse_args(argv)
    result = export_c(args.onnx, args.out, args.max_params, args.dataset, args.steps, not args.no_harness, args.atol)
    numpy_error, c_error = result["max_abs_difference"].values()
    print(f"[INFO] Wrote {', '.join(result['files'])} ({result['num_params']:,} parameters, {result['architecture']}).")
    print(f"[INFO] Max abs action difference to ONNX over {result['trajectory']['steps']} steps: NumPy "
          f"{numpy_error:.1e}, C " + ("(no compiler)" if c_error is None else f"{c_error:.1e}"))  # fmt: skip
    print("[RESULT] " + json.dumps(result))
    return result


if __name__ == "__main__":
    run_cli(main)
