"""Reward terms of Quadcopter-Point-Ctrl: reach the target point and hold there calmly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.managers import SceneEntityCfg

from .observations import target_pos_error

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

_ROBOT = SceneEntityCfg("robot")


def target_distance(env: ManagerBasedRLEnv, command_name: str, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Distance to the target [m] (use a negative weight)."""
    return torch.linalg.norm(target_pos_error(env, command_name, asset_cfg), dim=-1)


def target_proximity(
    env: ManagerBasedRLEnv, command_name: str, std: float, asset_cfg: SceneEntityCfg = _ROBOT
) -> torch.Tensor:
    """Gaussian kernel of the distance to the target, in (0, 1]; ``std`` [m] sets how sharp it is."""
    dist_sq = target_pos_error(env, command_name, asset_cfg).square().sum(-1)
    return torch.exp(-dist_sq / std**2)


def lin_vel_l2(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Squared linear speed [m^2/s^2]."""
    return env.scene[asset_cfg.name].data.root_lin_vel_w.torch.square().sum(-1)


def ang_vel_l2(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Squared body angular speed [rad^2/s^2]."""
    return env.scene[asset_cfg.name].data.root_ang_vel_b.torch.square().sum(-1)
