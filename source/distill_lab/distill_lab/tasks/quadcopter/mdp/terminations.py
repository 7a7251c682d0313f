"""Termination terms of Quadcopter-Point-Ctrl: crash into the ground, fly away, or flip over."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.managers import SceneEntityCfg

from .observations import target_pos_error

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

_ROBOT = SceneEntityCfg("robot")


def ground_contact(env: ManagerBasedRLEnv, min_height: float, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """The body's centre is lower than ``min_height`` [m] above the env origin (it touches the ground)."""
    pos = env.scene[asset_cfg.name].data.root_pos_w.torch
    return pos[:, 2] - env.scene.env_origins[:, 2] < min_height


def far_from_target(
    env: ManagerBasedRLEnv, command_name: str, max_distance: float, asset_cfg: SceneEntityCfg = _ROBOT
) -> torch.Tensor:
    """The vehicle is farther than ``max_distance`` [m] from its target (out of bounds)."""
    return torch.linalg.norm(target_pos_error(env, command_name, asset_cfg), dim=-1) > max_distance


def flipped(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """The body's z axis points below the horizon (gravity has a positive body-z component)."""
    return env.scene[asset_cfg.name].data.projected_gravity_b.torch[:, 2] > 0.0
