"""Target-point command: where the quadrotor must fly to and hold, plus the episode-end success metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING
from typing import TYPE_CHECKING

import torch
from isaaclab.assets import RigidObject
from isaaclab.managers import CommandTerm, CommandTermCfg
from isaaclab.markers import VisualizationMarkers, VisualizationMarkersCfg
from isaaclab.markers.config import SPHERE_MARKER_CFG
from isaaclab.utils import configclass

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


class TargetPointCommand(CommandTerm):
    """Samples a target point per env (relative to the env origin) and tracks the distance to it.

    Logged at every episode end (``Metrics/target/...``):

    * ``final_distance``: distance to the target at the last control step [m];
    * ``success_rate``: fraction of episodes that ran to the time-out and ended within
      :attr:`TargetPointCommandCfg.success_distance` of the target, slower than
      :attr:`TargetPointCommandCfg.success_speed`.
    """

    cfg: TargetPointCommandCfg

    def __init__(self, cfg: TargetPointCommandCfg, env: ManagerBasedRLEnv):
        super().__init__(cfg, env)
        self.robot: RigidObject = env.scene[cfg.asset_name]
        self.target_pos_w = torch.zeros(self.num_envs, 3, device=self.device)
        self.metrics["distance"] = torch.zeros(self.num_envs, device=self.device)
        self.metrics["speed"] = torch.zeros(self.num_envs, device=self.device)

    @property
    def command(self) -> torch.Tensor:
        """Target position in the world frame, shape (num_envs, 3) [m]."""
        return self.target_pos_w

    def reset(self, env_ids: Sequence[int] | slice | None = None) -> dict[str, torch.Tensor]:
        env_ids = slice(None) if env_ids is None else env_ids
        dist, speed = self.metrics["distance"][env_ids], self.metrics["speed"][env_ids]
        timed_out = self._env.termination_manager.time_outs[env_ids]
        success = timed_out & (dist < self.cfg.success_distance) & (speed < self.cfg.success_speed)
        extras = {"final_distance": dist.mean(), "success_rate": success.float().mean()}
        super().reset(env_ids)
        return extras

    def _update_metrics(self):
        self.metrics["distance"][:] = torch.linalg.norm(self.target_pos_w - self.robot.data.root_pos_w.torch, dim=-1)
        self.metrics["speed"][:] = torch.linalg.norm(self.robot.data.root_lin_vel_w.torch, dim=-1)

    def _resample_command(self, env_ids: Sequence[int]):
        low = torch.tensor([r[0] for r in self.cfg.ranges], device=self.device)
        high = torch.tensor([r[1] for r in self.cfg.ranges], device=self.device)
        sample = low + (high - low) * torch.rand_like(self.target_pos_w[env_ids])
        self.target_pos_w[env_ids] = self._env.scene.env_origins[env_ids] + sample

    def _update_command(self):
        pass  # a fixed point for the whole episode

    def _set_debug_vis_impl(self, debug_vis: bool):
        if debug_vis:
            if not hasattr(self, "target_visualizer"):
                self.target_visualizer = VisualizationMarkers(self.cfg.target_visualizer_cfg)
            self.target_visualizer.set_visibility(True)
        elif hasattr(self, "target_visualizer"):
            self.target_visualizer.set_visibility(False)

    def _debug_vis_callback(self, event):
        self.target_visualizer.visualize(self.target_pos_w)


@configclass
class TargetPointCommandCfg(CommandTermCfg):
    """Configuration of :class:`TargetPointCommand`."""

    class_type: type = TargetPointCommand
    """The command term class."""

    asset_name: str = MISSING
    """Name of the quadrotor rigid object in the scene."""

    ranges: tuple[tuple[float, float], tuple[float, float], tuple[float, float]] = (
        (-1.0, 1.0),
        (-1.0, 1.0),
        (0.5, 1.5),
    )
    """Uniform ranges of the target's (x, y, z) relative to the env origin [m]."""

    success_distance: float = 0.1
    """An episode succeeds if it ends closer than this to the target [m]."""

    success_speed: float = 0.2
    """... and slower than this [m/s]."""

    target_visualizer_cfg: VisualizationMarkersCfg = SPHERE_MARKER_CFG.replace(prim_path="/Visuals/Command/target")
    """Marker drawn at the target when :attr:`debug_vis` is on."""
