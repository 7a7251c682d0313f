"""Newton MuJoCo-Warp settings the project's tasks share (they build and step vectorized envs on the CPU)."""

from __future__ import annotations

from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg


def newton_mjwarp(njmax: int, nconmax: int, use_mujoco_contacts: bool = True) -> NewtonCfg:
    """MuJoCo-Warp with constraint (``njmax``) and contact (``nconmax``) budgets sized to the scene, per env.

    ``use_mujoco_contacts=True`` uses MuJoCo's collision (primitive shapes); ``False`` uses Newton's pipeline
    (needed for terrain meshes). CUDA graphs are off so the same cfg runs on the CPU.
    """
    return NewtonCfg(
        solver_cfg=MJWarpSolverCfg(
            njmax=njmax,
            nconmax=nconmax,
            cone="pyramidal",
            impratio=1.0,
            integrator="implicitfast",
            use_mujoco_contacts=use_mujoco_contacts,
        ),
        num_substeps=1,
        use_cuda_graph=False,
    )
