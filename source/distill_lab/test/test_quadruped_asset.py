"""The local Go1-class quadruped asset: the committed USD is reproducible; 4 robots stand on kit-less Newton (CPU)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from distill_lab.assets import build_quadruped_usd, quadruped

NUM_ENVS = 4
PHYSICS_DT = 1.0 / 200.0
HOLD_TIME_S = 2.0
GRAVITY = 9.81


def test_build_script_reproduces_committed_usd(tmp_path: Path):
    committed = Path(quadruped.QUADRUPED_USD_PATH)
    assert committed.is_file(), "run: python -m distill_lab.assets.build_quadruped_usd"
    rebuilt = build_quadruped_usd.build(tmp_path / "quadruped.usda")
    assert rebuilt.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
        "data/quadruped.usda is stale: regenerate it with python -m distill_lab.assets.build_quadruped_usd"
    )


def test_nominal_mass_properties():
    props = build_quadruped_usd.link_mass_properties()
    total = props["trunk"][0] + 4 * sum(props[k][0] for k in ("hip", "thigh", "calf"))
    assert total == pytest.approx(quadruped.QUADRUPED_MASS) and total == pytest.approx(12.0, abs=0.5)
    for mass, _, inertia in props.values():
        assert mass > 0 and all(i > 0 for i in inertia)
        ixx, iyy, izz = inertia  # triangle inequality of principal moments
        assert ixx + iyy >= izz and iyy + izz >= ixx and izz + ixx >= iyy


def _scene_and_sim_cfgs():
    import isaaclab.sim as sim_utils
    from isaaclab.assets import AssetBaseCfg
    from isaaclab.scene import InteractiveSceneCfg
    from isaaclab.sensors import ContactSensorCfg
    from isaaclab.utils import configclass
    from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg

    @configclass
    class StandSceneCfg(InteractiveSceneCfg):
        ground = AssetBaseCfg(
            prim_path="/World/ground",
            spawn=sim_utils.CuboidCfg(size=(400.0, 400.0, 1.0), collision_props=[sim_utils.UsdPhysicsCollisionCfg()]),
            init_state=AssetBaseCfg.InitialStateCfg(pos=(0.0, 0.0, -0.5)),
        )
        robot = quadruped.QUADRUPED_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")
        feet = ContactSensorCfg(prim_path=quadruped.FOOT_BODY_PRIM_PATH, history_length=1)

    sim_cfg = sim_utils.SimulationCfg(
        dt=PHYSICS_DT,
        device="cpu",
        gravity=(0.0, 0.0, -GRAVITY),
        physics=NewtonCfg(
            solver_cfg=MJWarpSolverCfg(
                njmax=60,
                nconmax=20,
                cone="pyramidal",
                impratio=1.0,
                integrator="implicitfast",
                use_mujoco_contacts=True,
            ),
            num_substeps=1,
            use_cuda_graph=False,
        ),
    )
    return StandSceneCfg(num_envs=NUM_ENVS, env_spacing=2.0, lazy_sensor_update=False), sim_cfg


@pytest.fixture(scope="module")
def standing():
    """Spawn the robots, hold the default joint targets for 2 s; return heights over time and the last readings."""
    from isaaclab.app import launch_simulation
    from isaaclab.scene import InteractiveScene
    from isaaclab.sim import build_simulation_context

    scene_cfg, sim_cfg = _scene_and_sim_cfgs()
    with launch_simulation(sim_cfg, {"device": "cpu", "headless": True}):
        with build_simulation_context(sim_cfg=sim_cfg) as sim:
            scene = InteractiveScene(scene_cfg)
            sim.reset()
            scene.reset()
            robot, feet = scene["robot"], scene["feet"]
            # what an env's reset events do: put every robot at its default root and joint state
            pose = robot.data.default_root_pose.torch.clone()
            pose[:, :3] += scene.env_origins
            robot.write_root_pose_to_sim_index(root_pose=pose)
            robot.write_root_velocity_to_sim_index(root_velocity=torch.zeros(NUM_ENVS, 6))
            target = robot.data.default_joint_pos.torch.clone()
            robot.write_joint_state_to_sim_index(position=target, velocity=torch.zeros_like(target))
            heights, foot_z_forces = [], []
            num_steps = round(HOLD_TIME_S / PHYSICS_DT)
            start = time.perf_counter()
            for _ in range(num_steps):
                robot.set_joint_position_target_index(target=target)
                scene.write_data_to_sim()
                sim.step(render=False)
                scene.update(dt=PHYSICS_DT)
                heights.append(robot.data.root_pos_w.torch[:, 2].clone())
                foot_z_forces.append(feet.data.net_normal_forces_w.torch[..., 2].sum(dim=-1))
            elapsed = time.perf_counter() - start
            result = {
                "heights": torch.stack(heights),  # (steps, envs)
                "joint_names": list(robot.joint_names),
                "body_names": list(robot.body_names),
                "sensor_bodies": list(feet.body_names),
                "mass": robot.data.body_mass.torch.sum(dim=-1).clone(),
                "foot_forces": feet.data.net_normal_forces_w.torch.clone(),  # (envs, 4, 3) at the end
                "foot_z_force_sums": torch.stack(foot_z_forces),  # (steps, envs)
                "joint_pos": robot.data.joint_pos.torch.clone(),
                "target": target,
                "physics_steps_per_s": num_steps * NUM_ENVS / elapsed,
            }
            times = (0.005, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0)
            print(
                f"\nquadruped stand, {NUM_ENVS} envs: {result['physics_steps_per_s']:.0f} env physics steps/s; mass "
                f"{result['mass'][0]:.3f} kg; base height [m] / foot normal force sum [N] at t [s] = "
                + ", ".join(
                    f"{t}: {result['heights'][round(t / PHYSICS_DT) - 1].mean():.4f} / "
                    f"{result['foot_z_force_sums'][round(t / PHYSICS_DT) - 1].mean():.1f}"
                    for t in times
                )
            )
            yield result


def test_articulation_layout(standing):
    assert standing["joint_names"] == list(quadruped.QUADRUPED_JOINT_NAMES)
    assert sorted(standing["body_names"]) == sorted(quadruped.QUADRUPED_BODY_NAMES)
    assert sorted(standing["sensor_bodies"]) == sorted(f"{leg}_calf" for leg in ("FL", "FR", "RL", "RR"))


def test_total_mass(standing):
    assert torch.allclose(standing["mass"], torch.full((NUM_ENVS,), 12.0), atol=1.0), standing["mass"]


def test_stands_for_two_seconds(standing):
    heights = standing["heights"]
    assert torch.isfinite(heights).all()
    assert heights.min() > 0.26 and heights.max() < 0.36, (heights.min(), heights.max())
    # the joints hold the standing pose
    assert (standing["joint_pos"] - standing["target"]).abs().max() < 0.15
    # and it comes to rest (no bouncing limit cycle): the last second spans less than 2 mm
    last_second = heights[-round(1.0 / PHYSICS_DT) :]
    assert (last_second.max(dim=0).values - last_second.min(dim=0).values).max() < 0.002


def test_feet_carry_the_weight(standing):
    forces = standing["foot_forces"]
    assert forces.shape == (NUM_ENVS, 4, 3)
    weight = standing["mass"] * GRAVITY
    vertical = forces[..., 2].sum(dim=-1)
    assert torch.allclose(vertical, weight, rtol=0.2), (vertical, weight)
    # also on average over the last 0.5 s, and with no step far off
    last = standing["foot_z_force_sums"][-round(0.5 / PHYSICS_DT) :]
    assert torch.allclose(last.mean(dim=0), weight, rtol=0.2), (last.mean(dim=0), weight)
    assert ((last - weight).abs() < 0.2 * weight).all()
    assert (forces[..., 2] > 0.1 * weight[:, None] / 4).all(), "every foot must be loaded"
