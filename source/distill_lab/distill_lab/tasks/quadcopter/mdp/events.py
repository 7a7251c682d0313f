"""Event terms of Quadcopter-Point-Ctrl: per-env dynamics randomization, resampled at every reset."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.managers import SceneEntityCfg

from distill_lab.assets import quadrotor

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

    from .actions import QuadrotorMotorAction


_ROBOT = SceneEntityCfg("robot")


def _uniform(r: tuple[float, float], shape: tuple[int, ...], device) -> torch.Tensor:
    return r[0] + (r[1] - r[0]) * torch.rand(shape, device=device)


def randomize_quadrotor_dynamics(
    env: ManagerBasedRLEnv,
    env_ids: torch.Tensor | None,
    action_name: str,
    mass_scale: tuple[float, float],
    inertia_scale: tuple[float, float],
    thrust_to_weight: tuple[float, float],
    motor_time_constant: tuple[float, float],
    torque_coefficient: tuple[float, float],
    disturbance_force: tuple[float, float],
    asset_cfg: SceneEntityCfg = _ROBOT,
):
    """Sample mass, inertia, thrust-to-weight, motor lag, torque coefficient and wind for ``env_ids``.

    Mass and inertia are written into the physics model; the motor parameters and wind go to the
    motor action term. Scales multiply the nominal Crazyflie values of :mod:`distill_lab.assets.quadrotor`;
    ``disturbance_force`` bounds each world-axis component of the wind force as a fraction of the nominal weight.
    """
    asset = env.scene[asset_cfg.name]
    motor: QuadrotorMotorAction = env.action_manager.get_term(action_name)
    if env_ids is None or isinstance(env_ids, slice):
        env_ids = torch.arange(env.num_envs, device=env.device)
    n, dev = len(env_ids), env.device
    mass = quadrotor.CRAZYFLIE_MASS * _uniform(mass_scale, (n, 1), dev)
    inertia = torch.zeros(n, 1, 9, device=dev)
    inertia[:, 0, [0, 4, 8]] = torch.tensor(quadrotor.CRAZYFLIE_INERTIA, device=dev) * _uniform(
        inertia_scale, (n, 3), dev
    )
    asset.set_masses_index(masses=mass, body_ids=[0], env_ids=env_ids)
    asset.set_inertias_index(inertias=inertia, body_ids=[0], env_ids=env_ids)
    motor.thrust_to_weight[env_ids] = _uniform(thrust_to_weight, (n,), dev)
    motor.motor_time_constant[env_ids] = _uniform(motor_time_constant, (n,), dev)
    motor.torque_coefficient[env_ids] = quadrotor.CRAZYFLIE_TORQUE_COEFFICIENT * _uniform(torque_coefficient, (n,), dev)
    weight = quadrotor.CRAZYFLIE_MASS * 9.81
    motor.disturbance_force_w[env_ids] = weight * _uniform(disturbance_force, (n, 3), dev)
