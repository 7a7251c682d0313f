"""The real Unitree Go1 (Menagerie via mjlab 1.6.0): the built USD matches the MJCF; 4 robots hold mjlab's pose on
kit-less Newton (MuJoCo-Warp, CPU) with mjlab's PD gains; bad files give one-line errors.

The first run builds the USD into the asset cache (``python -m distill_lab.assets.go1``: about 40 s, needs PyPI).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import torch

from distill_lab.assets import go1
from distill_lab.io import DistillLabError
from distill_lab.tasks.base import newton_mjwarp

NUM_ENVS = 4
PHYSICS_DT = 1.0 / 200.0
HOLD_TIME_S = 2.0


@pytest.fixture(scope="module")
def built() -> Path:
    """The built USD (built now if the cache has no intact build)."""
    return go1.build()


@pytest.fixture(scope="module")
def mjcf(built):
    """The MJCF the USD was built from, compiled by the project's mujoco."""
    return go1.load_mjcf()


def _scene_and_sim_cfgs():
    import isaaclab.sim as sim_utils
    from isaaclab.assets import AssetBaseCfg
    from isaaclab.scene import InteractiveSceneCfg
    from isaaclab.utils import configclass

    @configclass
    class StandSceneCfg(InteractiveSceneCfg):
        ground = AssetBaseCfg(
            prim_path="/World/ground",
            spawn=sim_utils.CuboidCfg(size=(400.0, 400.0, 1.0), collision_props=[sim_utils.UsdPhysicsCollisionCfg()]),
            init_state=AssetBaseCfg.InitialStateCfg(pos=(0.0, 0.0, -0.5)),
        )
        robot = go1.UNITREE_GO1_MENAGERIE_CFG.replace(prim_path="{ENV_REGEX_NS}/Robot")

    sim_cfg = sim_utils.SimulationCfg(
        dt=PHYSICS_DT, device="cpu", physics=newton_mjwarp(go1.GO1_NJMAX, go1.GO1_NCONMAX, impratio=go1.GO1_IMPRATIO)
    )
    return StandSceneCfg(num_envs=NUM_ENVS, env_spacing=2.0), sim_cfg


@pytest.fixture(scope="module")
def standing(built):
    """Spawn the robots, put them in mjlab's initial state, hold it with the PD actuators for 2 s; record."""
    from isaaclab.app import launch_simulation
    from isaaclab.scene import InteractiveScene
    from isaaclab.sim import build_simulation_context

    scene_cfg, sim_cfg = _scene_and_sim_cfgs()
    with launch_simulation(sim_cfg, {"device": "cpu", "headless": True}):
        with build_simulation_context(sim_cfg=sim_cfg) as sim:
            scene = InteractiveScene(scene_cfg)
            sim.reset()
            scene.reset()
            robot = scene["robot"]
            data = robot.data
            result = {
                "joint_names": list(robot.joint_names),
                "body_names": list(robot.body_names),
                "mass": data.body_mass.torch[0].clone(),
                "com": data.body_com_pos_b.torch[0].clone(),
                "inertia": data.body_inertia.torch[0].clone().reshape(-1, 3, 3),
                "limits": data.joint_pos_limits.torch[0].clone(),
                "stiffness": data.joint_stiffness.torch[0].clone(),
                "damping": data.joint_damping.torch[0].clone(),
                "armature": data.joint_armature.torch[0].clone(),
                "effort_limits": data.joint_effort_limits.torch[0].clone(),
            }
            # what an env's reset events do: put every robot at its default root and joint state
            pose = data.default_root_pose.torch.clone()
            pose[:, :3] += scene.env_origins
            robot.write_root_pose_to_sim_index(root_pose=pose)
            robot.write_root_velocity_to_sim_index(root_velocity=torch.zeros(NUM_ENVS, 6))
            target = data.default_joint_pos.torch.clone()
            robot.write_joint_state_to_sim_index(position=target, velocity=torch.zeros_like(target))
            heights, tilts = [], []
            for _ in range(round(HOLD_TIME_S / PHYSICS_DT)):
                robot.set_joint_position_target_index(target=target)
                scene.write_data_to_sim()
                sim.step(render=False)
                scene.update(dt=PHYSICS_DT)
                heights.append(data.root_pos_w.torch[:, 2].clone())
                tilts.append(torch.rad2deg(torch.acos((-data.projected_gravity_b.torch[:, 2]).clamp(-1.0, 1.0))))
            result.update(
                heights=torch.stack(heights), tilts=torch.stack(tilts), target=target,
                joint_pos=data.joint_pos.torch.clone(),
            )  # fmt: skip
            times = (0.005, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0)
            print(
                f"\nGo1 stand, {NUM_ENVS} envs: base height [m] / tilt [deg] at t [s] = "
                + ", ".join(
                    f"{t}: {result['heights'][round(t / PHYSICS_DT) - 1].mean():.4f} / "
                    f"{result['tilts'][round(t / PHYSICS_DT) - 1].mean():.1f}"
                    for t in times
                )
            )
            yield result


def _by_name(standing, values, names_key):
    return dict(zip(standing[names_key], values, strict=True))


def test_names_match_the_mjcf(standing, mjcf):
    assert standing["joint_names"] == list(go1.GO1_JOINT_NAMES)
    assert standing["body_names"] == list(go1.GO1_BODY_NAMES)
    hinges = {mjcf.joint(i).name for i in range(mjcf.njnt) if mjcf.jnt_type[i] == 3}  # mjJNT_HINGE
    assert hinges == set(go1.GO1_JOINT_NAMES)
    assert {mjcf.body(i).name for i in range(1, mjcf.nbody)} == set(go1.GO1_BODY_NAMES)


def test_mass_properties_match_the_mjcf(standing, mjcf):
    mass = _by_name(standing, standing["mass"], "body_names")
    com = _by_name(standing, standing["com"], "body_names")
    inertia = _by_name(standing, standing["inertia"], "body_names")
    for name in go1.GO1_BODY_NAMES:
        body = mjcf.body(name)
        assert float(mass[name]) == pytest.approx(float(body.mass[0]), rel=1e-5), name
        assert torch.allclose(com[name].double(), torch.tensor(body.ipos), atol=1e-5), (name, com[name], body.ipos)
        # principal moments (the MJCF's diaginertia); the USD stores them with principalAxes
        moments = torch.linalg.eigvalsh(inertia[name].double())
        assert torch.allclose(moments, torch.tensor(sorted(body.inertia)), rtol=1e-4, atol=1e-9), name
    assert float(standing["mass"].sum()) == pytest.approx(go1.GO1_MASS, rel=1e-5)
    assert float(mass["trunk"]) == pytest.approx(5.204)


def test_joint_limits_and_actuators(standing, mjcf):
    limits = _by_name(standing, standing["limits"], "joint_names")
    for name in go1.GO1_JOINT_NAMES:
        assert torch.allclose(limits[name].double(), torch.tensor(mjcf.joint(name).range), atol=1e-5), name
    knee = torch.tensor(["calf" in n for n in standing["joint_names"]])
    expected = {
        "stiffness": (go1.KNEE_STIFFNESS, go1.HIP_STIFFNESS),
        "damping": (go1.KNEE_DAMPING, go1.HIP_DAMPING),
        "armature": (go1.KNEE_ARMATURE, go1.HIP_ARMATURE),
        "effort_limits": (go1.KNEE_EFFORT_LIMIT, go1.HIP_EFFORT_LIMIT),
    }
    for key, (calf, hip) in expected.items():
        want = torch.where(knee, torch.tensor(calf), torch.tensor(hip)).float()
        assert torch.allclose(standing[key], want, rtol=1e-5), (key, standing[key])
    assert go1.HIP_STIFFNESS == pytest.approx(15.89, abs=0.01) and go1.KNEE_STIFFNESS == pytest.approx(35.76, abs=0.01)


def test_collision_shapes_match_the_mjcf(built, mjcf):
    """Every colliding MJCF geom is a USD collision prim of the same kind and size (capsules included)."""
    from pxr import Usd, UsdGeom, UsdPhysics

    stage = Usd.Stage.Open(str(built))
    shapes = {p.GetName(): p for p in stage.Traverse() if p.HasAPI(UsdPhysics.CollisionAPI)}
    kinds = {2: "Sphere", 3: "Capsule", 6: "Cube"}  # mjGEOM_SPHERE, CAPSULE, BOX
    colliding = [mjcf.geom(i) for i in range(mjcf.ngeom) if mjcf.geom_contype[i] or mjcf.geom_conaffinity[i]]
    assert sorted(shapes) == sorted(g.name for g in colliding)
    assert len(shapes) == 30  # trunk box, head sphere, 4 hip, 12 thigh and 8 calf capsules, 4 foot spheres
    for geom in colliding:
        prim = shapes[geom.name]
        assert prim.GetTypeName() == kinds[int(geom.type[0])], geom.name
        if prim.GetTypeName() == "Sphere":
            assert UsdGeom.Sphere(prim).GetRadiusAttr().Get() == pytest.approx(geom.size[0]), geom.name
        elif prim.GetTypeName() == "Capsule":
            capsule = UsdGeom.Capsule(prim)
            assert capsule.GetRadiusAttr().Get() == pytest.approx(geom.size[0]), geom.name
            assert capsule.GetHeightAttr().Get() == pytest.approx(2 * geom.size[1]), geom.name
    assert UsdGeom.Sphere(shapes["FL_foot_collision"]).GetRadiusAttr().Get() == pytest.approx(0.023)


def test_stands_on_flat_ground(standing):
    heights, tilts = standing["heights"], standing["tilts"]
    assert torch.isfinite(heights).all() and torch.isfinite(standing["joint_pos"]).all()
    after_1s = heights[round(1.0 / PHYSICS_DT) - 1 :]
    # mjlab's soft gains let the pose sag from 0.278 m to about 0.256 m; it must not sink further or tip over
    assert after_1s.min() > 0.24 and after_1s.max() < 0.28, (after_1s.min(), after_1s.max())
    assert tilts.max() < 6.0, tilts.max()
    assert (after_1s.max(dim=0).values - after_1s.min(dim=0).values).max() < 0.01
    assert (standing["joint_pos"] - standing["target"]).abs().max() < 0.3


def test_bad_files_give_one_line_errors(tmp_path: Path, built):
    def refused(call, *args, match: str) -> str:
        with pytest.raises(DistillLabError, match=match) as err:
            call(*args)
        message = str(err.value)
        assert "\n" not in message and "expected" in message, message
        return message

    refused(go1.load_mjcf, tmp_path / "missing" / "go1.xml", match=r"expected the Unitree Go1 MJCF .* found no file")
    corrupt = tmp_path / "go1.xml"
    corrupt.write_text(go1.mjcf_path().read_text(encoding="utf-8")[:3000], encoding="utf-8")  # truncated
    refused(go1.load_mjcf, corrupt, match="found a file MuJoCo cannot compile")
    other = tmp_path / "other.xml"
    other.write_text('<mujoco><worldbody><body><joint name="j"/><geom size="0.1"/></body></worldbody></mujoco>')
    refused(go1.load_mjcf, other, match=r"12 hinge joints .* found 1 hinge joint\(s\): j")

    refused(go1.check_usd, tmp_path / "nothing" / "go1.usdc", match=r"expected the Go1 USD .* found no file")
    copy = tmp_path / "cache"
    copy.mkdir()
    shutil.copyfile(built, copy / "go1.usdc")
    refused(go1.check_usd, copy / "go1.usdc", match="build_stamp.json, found none")
    shutil.copyfile(built.parent / go1.STAMP_NAME, copy / go1.STAMP_NAME)
    assert go1.check_usd(copy / "go1.usdc") == copy / "go1.usdc"
    data = bytearray((copy / "go1.usdc").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\0" * 64
    (copy / "go1.usdc").write_bytes(bytes(data))
    refused(go1.check_usd, copy / "go1.usdc", match="corrupt or edited")
    assert not go1.is_built(copy)
    garbage = tmp_path / "garbage.usdc"
    garbage.write_bytes(b"PXR-USDC" + bytes(range(256)) * 4)
    refused(go1.validate_usd, garbage, match="found a file USD cannot open")
    assert math.isclose(go1.validate_usd(built)["mass"], go1.GO1_MASS, rel_tol=1e-5)
