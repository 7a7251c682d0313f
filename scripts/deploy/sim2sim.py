"""Run an exported policy (policy.onnx with distill_lab's metadata) in MuJoCo on a robot's MJCF: no Isaac Lab, no torch.

    python -m distill_lab.assets.quadrotor --out crazyflie.xml     # the quadcopter's MuJoCo twin
    python scripts/deploy/sim2sim.py <run>/exported/policy.onnx --mjcf crazyflie.xml [--num_targets 16] [--video none]

See distill_lab.deploy.sim2sim for the flags; the report and video go to <policy folder>/sim2sim/ unless --out.
"""

import os

os.environ.setdefault("DISTILL_LAB_TASKS", "0")  # the deploy layer needs no task registry (no Isaac Lab, no torch)

from distill_lab.deploy.render import choose_backend  # noqa: E402
from distill_lab.io import run_cli  # noqa: E402

if __name__ == "__main__":
    choose_backend()  # MUJOCO_GL=egl, else osmesa, before MuJoCo is imported
    from distill_lab.deploy.sim2sim import main

    run_cli(main)
