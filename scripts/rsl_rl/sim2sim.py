"""Newton vs MuJoCo for a teacher and a student (checkpoints or exported policy.onnx files), one table; see
distill_lab.cli.sim2sim.

    python scripts/rsl_rl/sim2sim.py --task Quadcopter-Point-Ctrl --student pretrained \
        [--teacher <model_N.pt | policy.onnx>] [--num_targets 64]
"""

from distill_lab.cli.sim2sim import main
from distill_lab.io import run_cli

if __name__ == "__main__":
    run_cli(main)
