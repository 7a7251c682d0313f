"""Quadcopter-Point-Ctrl on the embedded default (kit-less Newton on CPU), 8 envs: obs groups, physics, resets."""

from __future__ import annotations

import gymnasium as gym
import pytest
import torch

import distill_lab  # noqa: F401
from distill_lab.assets import quadrotor
from distill_lab.cli.configs import resolve_configs
from distill_lab.tasks.quadcopter.quadcopter_env_cfg import PRIVILEGED_TERMS

TASK = "Quadcopter-Point-Ctrl"
NUM_ENVS = 8


@pytest.fixture(scope="module")
def env():
    from isaaclab.app import launch_simulation

    env_cfg, _ = resolve_configs(TASK, None, [f"env.scene.num_envs={NUM_ENVS}"])
    env_cfg.seed = 0
    with launch_simulation(env_cfg, {"device": "cpu", "headless": True}):
        env = gym.make(TASK, cfg=env_cfg)
        env.reset()
        yield env.unwrapped
        env.close()


def test_obs_groups_hold_expected_terms(env):
    terms = env.observation_manager.active_terms
    policy = ["target_pos_error", "rotation_matrix", "lin_vel", "ang_vel", "last_action"]
    assert terms["policy"] == policy
    assert terms["teacher"] == policy + list(PRIVILEGED_TERMS)
    assert terms["critic"] == terms["teacher"]
    assert not set(terms["policy"]) & set(PRIVILEGED_TERMS)
    dims = env.observation_manager.group_obs_dim
    assert dims["policy"] == (22,) and dims["teacher"] == (36,)


def test_env_steps_with_finite_observations(env):
    for _ in range(20):
        obs, rew, terminated, truncated, extras = env.step(torch.rand(NUM_ENVS, 4) * 2 - 1)
        assert all(torch.isfinite(v).all() for v in obs.values())
        assert torch.isfinite(rew).all()


def test_dynamics_randomized_within_documented_ranges(env):
    params = env.cfg.events.dynamics.params
    motor = env.action_manager.get_term("motors")
    mass = env.scene["robot"].data.body_mass.torch[:, 0]
    lo, hi = params["mass_scale"]
    assert (mass >= lo * quadrotor.CRAZYFLIE_MASS - 1e-6).all() and (mass <= hi * quadrotor.CRAZYFLIE_MASS + 1e-6).all()
    assert mass.std() > 0, "mass must differ between envs"
    lo, hi = params["thrust_to_weight"]
    assert ((motor.thrust_to_weight >= lo) & (motor.thrust_to_weight <= hi)).all()
    lo, hi = params["motor_time_constant"]
    assert ((motor.motor_time_constant >= lo) & (motor.motor_time_constant <= hi)).all()
    assert motor.disturbance_force_w.abs().max() > 0


def _nominal_upright_at_rest(env) -> torch.Tensor:
    """Nominal mass and thrust-to-weight 2, no wind, upright at the default pose with zero velocity; returns z."""
    env.reset()
    robot, motor = env.scene["robot"], env.action_manager.get_term("motors")
    ids = torch.arange(NUM_ENVS)
    robot.set_masses_index(masses=torch.full((NUM_ENVS, 1), quadrotor.CRAZYFLIE_MASS), body_ids=[0], env_ids=ids)
    motor.thrust_to_weight[:] = 2.0
    motor.disturbance_force_w[:] = 0.0
    pose = robot.data.default_root_pose.torch.clone()
    pose[:, :3] += env.scene.env_origins
    robot.write_root_pose_to_sim_index(root_pose=pose, env_ids=ids)
    robot.write_root_velocity_to_sim_index(root_velocity=torch.zeros(NUM_ENVS, 6), env_ids=ids)
    motor.reset()
    return robot.data.root_pos_w.torch[:, 2].clone()


def test_hover_command_holds_altitude(env):
    """Action 0 is half the maximum thrust, i.e. the weight at thrust-to-weight 2: the vehicle hovers for 1 s."""
    robot = env.scene["robot"]
    z0 = _nominal_upright_at_rest(env)
    for _ in range(50):
        env.step(torch.zeros(NUM_ENVS, 4))
    assert (robot.data.root_pos_w.torch[:, 2] - z0).abs().max() < 0.05
    assert robot.data.root_lin_vel_w.torch.norm(dim=-1).max() < 0.1


def test_full_thrust_climbs_and_zero_thrust_falls(env):
    robot = env.scene["robot"]
    _nominal_upright_at_rest(env)
    for _ in range(10):
        env.step(torch.ones(NUM_ENVS, 4))
    assert (robot.data.root_lin_vel_w.torch[:, 2] > 0.5).all()
    z0 = _nominal_upright_at_rest(env)
    for _ in range(10):
        env.step(-torch.ones(NUM_ENVS, 4))
    assert (robot.data.root_pos_w.torch[:, 2] < z0 - 0.05).all()


def test_differential_thrust_rolls_the_right_way(env):
    """More thrust on the left rotors (front-left, back-left) rolls the body right-side up about +x."""
    robot = env.scene["robot"]
    _nominal_upright_at_rest(env)
    env.step(torch.tensor([[-0.1, -0.1, 0.1, 0.1]]).repeat(NUM_ENVS, 1))
    env.step(torch.tensor([[-0.1, -0.1, 0.1, 0.1]]).repeat(NUM_ENVS, 1))
    assert (robot.data.root_ang_vel_b.torch[:, 0] > 0.1).all()


def test_episode_metrics_are_logged(env):
    env.reset()
    seen = {}
    for _ in range(60):
        _, _, _, _, extras = env.step(torch.rand(NUM_ENVS, 4) * 2 - 1)
        seen.update(extras.get("log", {}))
    assert "Metrics/target/success_rate" in seen and "Metrics/target/final_distance" in seen
    assert 0.0 <= float(seen["Metrics/target/success_rate"]) <= 1.0


def test_vehicle_shows_its_frame_arms_and_rotors_and_collides_as_the_box(env):
    from isaaclab.sim.utils import get_current_stage
    from pxr import UsdGeom, UsdPhysics

    stage = get_current_stage()
    robot = "/World/envs/env_0/Robot"
    visuals = sorted(p.GetName() for p in stage.GetPrimAtPath(f"{robot}/visuals").GetChildren())
    assert visuals == ["arm_0", "arm_1", "frame", "rotor_0", "rotor_1", "rotor_2", "rotor_3"]
    assert not any(stage.GetPrimAtPath(f"{robot}/visuals/{v}").HasAPI(UsdPhysics.CollisionAPI) for v in visuals)
    box = stage.GetPrimAtPath(f"{robot}/geometry/mesh")
    assert box.HasAPI(UsdPhysics.CollisionAPI) and UsdGeom.Imageable(box).ComputePurpose() == UsdGeom.Tokens.guide
