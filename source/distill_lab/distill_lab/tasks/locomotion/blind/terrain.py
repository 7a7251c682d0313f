"""blind_rl's ground: flat (the default) or gentle rough terrain from Isaac Lab's terrain generator
(``presets=rough``), with a privileged height scanner on rough terrain; both work offline."""

from __future__ import annotations

import isaaclab.sim as sim_utils
import isaaclab.terrains as terrain_gen
from isaaclab.sensors import RayCasterCfg, patterns
from isaaclab.terrains import TerrainImporterCfg
from isaaclab.utils import configclass
from isaaclab_tasks.utils import PresetCfg

from distill_lab.assets.go1 import GO1_IMPRATIO, GO1_NJMAX

from ...base import ground_box, newton_mjwarp

GROUND_FRICTION = 0.2
"""Ground friction coefficient. MuJoCo-Warp uses the larger of the two contacting shapes' values, so a ground below
the feet's randomized range makes the foot friction the one that acts."""

GENTLE_ROUGH_TERRAINS_CFG = terrain_gen.TerrainGeneratorCfg(
    size=(8.0, 8.0),
    border_width=10.0,
    num_rows=5,
    num_cols=10,
    horizontal_scale=0.1,
    vertical_scale=0.005,
    slope_threshold=0.75,
    use_cache=False,
    sub_terrains={
        "flat": terrain_gen.MeshPlaneTerrainCfg(proportion=0.2),
        "random_rough": terrain_gen.HfRandomUniformTerrainCfg(
            proportion=0.4, noise_range=(0.01, 0.04), noise_step=0.01, border_width=0.25
        ),
        "slope": terrain_gen.HfPyramidSlopedTerrainCfg(
            proportion=0.2, slope_range=(0.0, 0.2), platform_width=2.0, border_width=0.25
        ),
        "low_steps": terrain_gen.MeshPyramidStairsTerrainCfg(
            proportion=0.2, step_height_range=(0.02, 0.06), step_width=0.3, platform_width=3.0, border_width=1.0
        ),
    },
)
"""Low-difficulty rough terrain: random roughness up to 4 cm, slopes up to 0.2 (11 deg), steps up to 6 cm."""


@configclass
class PhysicsCfg(PresetCfg):
    """Newton MuJoCo-Warp: MuJoCo contacts for sphere feet on the ground box; Newton's pipeline for terrain meshes; the
    real Go1's budget and impratio (:mod:`distill_lab.assets.go1`) with ``presets=go1``."""

    default = newton_mjwarp(njmax=60, nconmax=20, use_mujoco_contacts=True)
    rough = newton_mjwarp(njmax=60, nconmax=20, use_mujoco_contacts=False)
    go1 = newton_mjwarp(njmax=GO1_NJMAX, nconmax=20, use_mujoco_contacts=True, impratio=GO1_IMPRATIO)


@configclass
class GroundCfg(PresetCfg):
    """Flat ground (default) or gentle rough terrain (``presets=rough``); both work offline."""

    default = ground_box(color=(0.4, 0.42, 0.4), friction=GROUND_FRICTION)
    rough = TerrainImporterCfg(
        prim_path="/World/ground",
        terrain_type="generator",
        terrain_generator=GENTLE_ROUGH_TERRAINS_CFG,
        max_init_terrain_level=None,
        collision_group=-1,
        physics_material=sim_utils.RigidBodyMaterialCfg(
            static_friction=GROUND_FRICTION, dynamic_friction=GROUND_FRICTION
        ),
        visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.4, 0.42, 0.4)),
    )


@configclass
class HeightScannerCfg(PresetCfg):
    """A height scan around the base on rough terrain (privileged); none on flat ground."""

    default = None
    rough = RayCasterCfg(
        prim_path="{ENV_REGEX_NS}/Robot/trunk",
        offset=RayCasterCfg.OffsetCfg(pos=(0.0, 0.0, 20.0)),
        ray_alignment="yaw",
        pattern_cfg=patterns.GridPatternCfg(resolution=0.1, size=[1.0, 0.6]),
        mesh_prim_paths=["/World/ground"],
        global_world_only=True,
    )
