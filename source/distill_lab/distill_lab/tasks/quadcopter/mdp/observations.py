"""Observation terms of Quadcopter-Point-Ctrl: what the flight controller senses, and the privileged truth."""

from __future__ import annotations

from typing import TYPE_CHECKING

import isaaclab.utils.math as math_utils
import torch
from isaaclab.managers import SceneEntityCfg

from distill_lab.assets import quadrotor

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

    from .actions import QuadrotorMotorAction

_ROBOT = SceneEntityCfg("robot")


def _motor(env: ManagerBasedRLEnv, action_name: str) -> QuadrotorMotorAction:
    return env.action_manager.get_term(action_name)


# -- sensed at deployment (policy group)


def target_pos_error(env: ManagerBasedRLEnv, command_name: str, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Target position minus vehicle position, world frame [m], shape (N, 3)."""
    target = env.command_manager.get_command(command_name)
    return target - env.scene[asset_cfg.name].data.root_pos_w.torch


def rotation_matrix(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Body-to-world rotation matrix, row-major, shape (N, 9)."""
    quat = env.scene[asset_cfg.name].data.root_quat_w.torch
    return math_utils.matrix_from_quat(quat).flatten(1)


# -- privileged (critic and teacher groups)


def mass_ratio(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """True mass over the nominal mass, shape (N, 1)."""
    return env.scene[asset_cfg.name].data.body_mass.torch[:, :1] / quadrotor.CRAZYFLIE_MASS


def inertia_ratio(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """True principal inertia over the nominal one (Ixx, Iyy, Izz), shape (N, 3)."""
    inertia = env.scene[asset_cfg.name].data.body_inertia.torch[:, 0, [0, 4, 8]]
    return inertia / torch.tensor(quadrotor.CRAZYFLIE_INERTIA, device=env.device)


def thrust_to_weight(env: ManagerBasedRLEnv, action_name: str) -> torch.Tensor:
    """True thrust-to-weight ratio, shape (N, 1)."""
    return _motor(env, action_name).thrust_to_weight.unsqueeze(-1)


def motor_time_constant(env: ManagerBasedRLEnv, action_name: str) -> torch.Tensor:
    """True motor time constant over the nominal one, shape (N, 1)."""
    return _motor(env, action_name).motor_time_constant.unsqueeze(-1) / quadrotor.CRAZYFLIE_MOTOR_TIME_CONSTANT


def torque_coefficient(env: ManagerBasedRLEnv, action_name: str) -> torch.Tensor:
    """True rotor torque coefficient over the nominal one, shape (N, 1)."""
    return _motor(env, action_name).torque_coefficient.unsqueeze(-1) / quadrotor.CRAZYFLIE_TORQUE_COEFFICIENT


def disturbance_force(env: ManagerBasedRLEnv, action_name: str) -> torch.Tensor:
    """True constant disturbance force in the world frame over the nominal weight, shape (N, 3)."""
    return _motor(env, action_name).disturbance_force_w / (quadrotor.CRAZYFLIE_MASS * 9.81)


def rotor_speed(env: ManagerBasedRLEnv, action_name: str) -> torch.Tensor:
    """True normalized rotor speeds (the motor lag state), shape (N, 4)."""
    return _motor(env, action_name).rotor_speed
