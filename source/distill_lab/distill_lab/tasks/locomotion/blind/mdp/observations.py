"""Privileged observation terms of blind_rl: what the teacher knows and a real quadruped does not sense."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import warp as wp
from isaaclab.managers import ManagerTermBase, ObservationTermCfg, SceneEntityCfg

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

_ROBOT = SceneEntityCfg("robot")


def base_height(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """Base height above the env origin [m], shape (N, 1) (on rough terrain the height scan gives the local ground)."""
    pos = env.scene[asset_cfg.name].data.root_pos_w.torch
    return (pos[:, 2] - env.scene.env_origins[:, 2]).unsqueeze(-1)


def base_mass(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = _ROBOT) -> torch.Tensor:
    """True mass of the base (root) body [kg], shape (N, 1)."""
    return env.scene[asset_cfg.name].data.body_mass.torch[:, :1]


def foot_contact(env: ManagerBasedRLEnv, sensor_cfg: SceneEntityCfg, threshold: float = 1.0) -> torch.Tensor:
    """Foot contact states (1 = in contact: normal force above ``threshold`` [N]), shape (N, num_feet)."""
    sensor = env.scene.sensors[sensor_cfg.name]
    forces = sensor.data.net_forces_w.torch[:, sensor_cfg.body_ids]
    return (forces.norm(dim=-1) > threshold).float()


class foot_friction(ManagerTermBase):
    """Friction coefficient of each foot's collision shape in the physics model, shape (N, num_feet).

    Reads Newton's per-shape ``shape_material_mu`` (what ``randomize_rigid_body_material`` writes). The ground's
    friction is set lower than the feet's range, and MuJoCo-Warp takes the larger of the two, so this is the
    friction the contact actually uses.
    """

    def __init__(self, cfg: ObservationTermCfg, env: ManagerBasedRLEnv):
        super().__init__(cfg, env)
        asset_cfg: SceneEntityCfg = cfg.params["asset_cfg"]
        asset = env.scene[asset_cfg.name]
        model = env.sim.physics_manager.get_model()
        self._mu = wp.to_torch(asset._root_view.get_attribute("shape_material_mu", model)[:, 0])
        body_shapes = asset._root_view.body_shapes
        backend_ids = asset.map_body_ids_to_backend(asset_cfg.body_ids)
        self._shape_ids = torch.tensor([body_shapes[b][-1] for b in backend_ids], dtype=torch.long, device=env.device)

    def __call__(self, env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg) -> torch.Tensor:
        return self._mu[:, self._shape_ids].to(env.device)
