"""Unitree Go1 from MuJoCo Menagerie (as shipped in the mjlab 1.6.0 wheel): USD build and Isaac Lab articulation config.

Build (idempotent, about 1 minute the first time, a second afterwards)::

    python -m distill_lab.assets.go1 [--force] [--keep-venv]

What the build does, all under the cache folder ``${DISTILL_LAB_ASSET_CACHE:-~/.cache/distill_lab/assets}/unitree_go1/``
(never inside the package or the repository):

1. ``pip download --no-deps mjlab==1.6.0`` (14 MB wheel, sha256 checked) and extract only the Go1 MJCF and its five STL
   meshes (``mjlab/asset_zoo/robots/unitree_go1/xmls/``), each checked against the wheel's RECORD hashes. mjlab itself
   is never installed: its pins conflict with the project's lock.
2. Create a throwaway venv (``converter-venv/``) with PyPI ``mujoco-usd-converter`` and its dependencies at exact
   versions (plus a ``torch==2.13.0`` constraint), since its ``usd-exchange`` bundles its own ``pxr``, which must not
   meet the project's ``usd-core``. It is deleted after the build unless ``--keep-venv``.
3. Convert with ``mujoco_usd_converter --no-layer-structure --no-physics-scene`` into one self-contained ``go1.usdc``
   (UsdPhysics + Newton/MuJoCo schemas: articulation root on ``trunk``, 13 rigid bodies with the MJCF's mass, centre of
   mass and principal inertia, 12 revolute joints with the MJCF ranges, the MJCF's primitive collision shapes, the STL
   meshes as visuals), check it against the MJCF, and write ``build_stamp.json`` (inputs and output hashes).

The Isaac Lab config :data:`UNITREE_GO1_MENAGERIE_CFG` spawns that USD (checking it first: a missing, stale or corrupt
file gives a one-line :class:`~distill_lab.io.DistillLabError`), with mjlab's Go1 actuator gains as implicit PD and
mjlab's initial pose. On kit-less Newton (MuJoCo-Warp, CPU) the conversion is faithful: holding the pose for 2 s gives
the same base height as MuJoCo C on the MJCF to 4 decimals, with the solver settings :data:`GO1_NJMAX`,
:data:`GO1_NCONMAX` and :data:`GO1_IMPRATIO` (``distill_lab.tasks.base.newton_mjwarp`` takes them).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import isaaclab.sim as sim_utils
from isaaclab.actuators import ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg
from isaaclab_newton.sim.schemas import NewtonArticulationCfg

from distill_lab.io import DistillLabError

# --- where the model comes from

MJLAB_VERSION = "1.6.0"
"""Version of the PyPI ``mjlab`` wheel the MJCF and meshes are taken from."""

MJLAB_WHEEL = f"mjlab-{MJLAB_VERSION}-py3-none-any.whl"
"""File name of that wheel."""

MJLAB_WHEEL_SHA256 = "03d003854e2f44c48330c6dcf4c2253ff7641bb569747846825a21b9efa8540b"
"""sha256 of that wheel as PyPI serves it; the build refuses any other file."""

WHEEL_GO1_DIR = "mjlab/asset_zoo/robots/unitree_go1/xmls/"
"""Folder of the Go1 MJCF (``go1.xml``) and its meshes (``assets/*.stl``) inside the wheel."""

CONVERTER_REQUIREMENTS = (
    "mujoco-usd-converter==0.6.1",
    "mujoco==3.12.0",
    "usd-exchange==3.0.1",
    "numpy-stl==4.1.1",
    "tinyobjloader==2.0.0rc13",
    "newton-usd-schemas==0.6.0",
    "numpy==2.4.6",
)
"""What the throwaway converter venv installs (0.6.1 is the version Isaac Sim 6.2's MJCF importer wraps)."""

CONVERTER_CONSTRAINTS = (
    "torch==2.13.0",
    "absl-py==2.5.1",
    "etils==1.15.0",
    "fsspec==2026.9.0",
    "glfw==2.11.0",
    "pyopengl==3.1.10",
    "python-utils==4.2.0",
    "typing-extensions==4.16.0",
    "zipp==4.1.2",
)
"""Constraints of that install: the CPU torch guard and the exact versions of the transitive dependencies."""

BUILD_VERSION = 1
"""Version of this build recipe; bump it when the output would change, so that cached builds are redone."""

# --- cache layout


def cache_dir() -> Path:
    """``${DISTILL_LAB_ASSET_CACHE:-~/.cache/distill_lab/assets}/unitree_go1`` (read at call time)."""
    root = os.environ.get("DISTILL_LAB_ASSET_CACHE") or os.path.join("~", ".cache", "distill_lab", "assets")
    return Path(root).expanduser().resolve() / "unitree_go1"


def usd_path(folder: str | Path | None = None) -> Path:
    """Path of the built USD in ``folder`` (default :func:`cache_dir`)."""
    return Path(folder or cache_dir()) / "go1.usdc"


def mjcf_path(folder: str | Path | None = None) -> Path:
    """Path of the extracted MJCF in ``folder`` (default :func:`cache_dir`); its meshes are in ``mjcf/assets/``."""
    return Path(folder or cache_dir()) / "mjcf" / "go1.xml"


STAMP_NAME = "build_stamp.json"
"""Name of the build record next to the USD: the build inputs and the sha256 of every output file."""

GO1_USD_PATH = str(usd_path())
"""Where :func:`build` writes the USD by default (the cache folder as configured when this module was imported)."""

# --- the model (names as in the MJCF; the order is the one Newton/Isaac Lab report)

GO1_LEGS = ("FL", "FR", "RL", "RR")
"""Leg prefixes in the order Isaac Lab on Newton reports them (the MJCF's order is FR, FL, RR, RL)."""

GO1_JOINT_NAMES = tuple(f"{leg}_{kind}_joint" for leg in GO1_LEGS for kind in ("hip", "thigh", "calf"))
"""The 12 joint names in the articulation's order: leg by leg (FL, FR, RL, RR), hip, thigh, calf."""

GO1_BODY_NAMES = ("trunk",) + tuple(f"{leg}_{kind}" for leg in GO1_LEGS for kind in ("hip", "thigh", "calf"))
"""The 13 body names in the articulation's order."""

BASE_BODY_NAME = "trunk"
"""Name of the base (root) body."""

FOOT_BODY_NAMES = ".*_calf"
"""Regex of the bodies that carry the foot spheres (``*_foot_collision``, radius 0.023 m, part of each calf)."""

GO1_MASS = 12.743448
"""Total mass in the MJCF [kg] (trunk 5.204, per leg 0.68 + 1.009 + 0.195862)."""

# --- actuators: mjlab's go1_constants.py (Unitree Go1 motor data; PD tuned to 10 Hz on the reflected rotor inertia)

ROTOR_INERTIA = 0.000111842
"""Go1 motor rotor inertia [kg m^2] (Ixx of the rotor in Unitree's go1.urdf, as mjlab uses it)."""

HIP_GEAR_RATIO = 6.0
"""Gear ratio of the hip (abduction) and thigh motors [-]."""

KNEE_GEAR_RATIO = HIP_GEAR_RATIO * 1.5
"""Gear ratio of the knee (calf) motors [-] (9)."""

HIP_ARMATURE = ROTOR_INERTIA * HIP_GEAR_RATIO**2
"""Reflected rotor inertia of the hip and thigh joints [kg m^2] (0.004026), added as joint armature."""

KNEE_ARMATURE = ROTOR_INERTIA * KNEE_GEAR_RATIO**2
"""Reflected rotor inertia of the calf joints [kg m^2] (0.009059), added as joint armature."""

NATURAL_FREQ = 10 * 2.0 * 3.1415926535
"""PD natural frequency [rad/s] (10 Hz; mjlab writes pi with 10 digits, kept for identical gains)."""

DAMPING_RATIO = 2.0
"""PD damping ratio [-] (mjlab's value: overdamped)."""

HIP_STIFFNESS = HIP_ARMATURE * NATURAL_FREQ**2
"""PD stiffness of the hip and thigh joints [N m/rad] (15.89)."""

HIP_DAMPING = 2 * DAMPING_RATIO * HIP_ARMATURE * NATURAL_FREQ
"""PD damping of the hip and thigh joints [N m s/rad] (1.012)."""

KNEE_STIFFNESS = KNEE_ARMATURE * NATURAL_FREQ**2
"""PD stiffness of the calf joints [N m/rad] (35.76)."""

KNEE_DAMPING = 2 * DAMPING_RATIO * KNEE_ARMATURE * NATURAL_FREQ
"""PD damping of the calf joints [N m s/rad] (2.277)."""

HIP_EFFORT_LIMIT = 23.7
"""Torque limit of the hip and thigh motors [N m] (the solver clamps the PD torque to it, like MuJoCo's forcerange)."""

KNEE_EFFORT_LIMIT = 35.55
"""Torque limit of the calf motors [N m]."""

HIP_VELOCITY_LIMIT = 30.1
"""Rated speed of the hip and thigh joints [rad/s]; an actuator-model limit (soft limits, telemetry), not a solver
clamp, as in mjlab, whose position actuators do not enforce it either."""

KNEE_VELOCITY_LIMIT = 20.06
"""Rated speed of the calf joints [rad/s]; see :data:`HIP_VELOCITY_LIMIT`."""

GO1_ACTION_SCALE = {
    ".*_hip_joint": 0.25 * HIP_EFFORT_LIMIT / HIP_STIFFNESS,
    ".*_thigh_joint": 0.25 * HIP_EFFORT_LIMIT / HIP_STIFFNESS,
    ".*_calf_joint": 0.25 * KNEE_EFFORT_LIMIT / KNEE_STIFFNESS,
}
"""mjlab's joint-position action scale [rad per unit action]: a quarter of the effort limit over the stiffness."""

# --- initial state: mjlab's INIT_STATE

GO1_INIT_BASE_HEIGHT = 0.278
"""Initial base (trunk frame) height [m]; the feet start about 1 mm above flat ground."""

GO1_INIT_JOINT_POS = {
    ".*thigh_joint": 0.9,
    ".*calf_joint": -1.8,
    ".*R_hip_joint": 0.1,
    ".*L_hip_joint": -0.1,
}
"""Initial (and default target) joint positions [rad] by regex; right hips +0.1, left hips -0.1."""

# --- physics settings measured for this model on kit-less Newton, CPU

GO1_NJMAX = 64
"""MuJoCo-Warp constraint rows per env. Standing needs 16-24; a fallen robot on a box ground up to 64 (measured over
random limp drops in MuJoCo C: at most 15 contacts, 64 rows with a pyramidal cone)."""

GO1_NCONMAX = 16
"""MuJoCo-Warp contacts per env. Standing needs 10 (MuJoCo-Warp counts broadphase pairs against it); random falls
needed 13; 16 gave no overflow warning."""

GO1_IMPRATIO = 10.0
"""Friction-to-normal impedance ratio (mjlab's Go1 value). With 1.0 the feet creep outwards under the sustained
tangential load (28 mm in 2 s) and the robot sinks from 0.278 m to 0.231 m with 9 degrees of pitch; with 10 it
stays at 0.254-0.259 m (measured identically in MuJoCo C and in Newton)."""


# --- checks that turn bad files into one-line errors


def _one_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_mjcf(path: str | Path | None = None):
    """Compile the Go1 MJCF with the project's ``mujoco`` and check that it is the Go1; return the ``MjModel``.

    Raises:
        DistillLabError: the file is missing, does not compile, or is not the 12-joint Go1.
    """
    import mujoco

    path = Path(path) if path is not None else mjcf_path()
    what = f"the Unitree Go1 MJCF (go1.xml from mjlab {MJLAB_VERSION}) at {path}"
    if not path.is_file():
        found = "a folder" if path.exists() else "no file"
        raise DistillLabError(f"expected {what}, found {found}; run: python -m distill_lab.assets.go1")
    try:
        model = mujoco.MjModel.from_xml_path(str(path))
    except Exception as err:  # mujoco raises ValueError with a multi-line message
        raise DistillLabError(f"expected {what}, found a file MuJoCo cannot compile: {_one_line(err)}") from None
    hinges = sorted(model.joint(i).name for i in range(model.njnt) if model.jnt_type[i] == mujoco.mjtJoint.mjJNT_HINGE)
    if hinges != sorted(GO1_JOINT_NAMES):
        raise DistillLabError(
            f"expected {what} with the 12 hinge joints {', '.join(GO1_JOINT_NAMES)}, found {len(hinges)} hinge "
            f"joint(s): {_one_line(', '.join(hinges) or 'none', 200)}"
        )
    return model


def read_stamp(folder: str | Path | None = None) -> dict | None:
    """The build record of ``folder`` (default :func:`cache_dir`), or None when there is none or it is unreadable."""
    try:
        return json.loads((Path(folder or cache_dir()) / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_usd(path: str | Path | None = None) -> Path:
    """Check that the built USD exists and is byte-identical to what the build recorded; return its path.

    Raises:
        DistillLabError: the USD or its build stamp is missing, or the USD's sha256 differs from the stamp's.
    """
    path = Path(path) if path is not None else usd_path()
    what = f"the Go1 USD built by `python -m distill_lab.assets.go1` at {path}"
    if not path.is_file():
        found = "a folder" if path.exists() else "no file"
        raise DistillLabError(f"expected {what}, found {found}; run: python -m distill_lab.assets.go1")
    stamp = read_stamp(path.parent)
    if stamp is None or path.name not in stamp.get("outputs", {}):
        raise DistillLabError(
            f"expected {what} with its {STAMP_NAME}, found none (incomplete build); "
            "run: python -m distill_lab.assets.go1 --force"
        )
    digest = _sha256(path)
    if digest != stamp["outputs"][path.name]:
        raise DistillLabError(
            f"expected {what} with sha256 {stamp['outputs'][path.name][:12]}... (its build stamp), found "
            f"{digest[:12]}... (corrupt or edited, {path.stat().st_size} bytes); run: python -m distill_lab.assets.go1 "
            "--force"
        )
    return path


def validate_usd(path: str | Path, model=None) -> dict:
    """Open the USD with the project's pxr and check it against the MJCF ``model`` (default: the cached MJCF).

    Checks the articulation root, the 13 rigid bodies and their masses, the 12 revolute joints and their limits.
    Returns a short summary. Raises :class:`DistillLabError` with a one-line message on any mismatch.
    """
    from pxr import Usd, UsdPhysics

    path = Path(path)
    what = f"a Go1 USD at {path}"
    if not path.is_file():
        raise DistillLabError(f"expected {what}, found no file")
    try:
        stage = Usd.Stage.Open(str(path))
    except Exception as err:  # pxr raises Tf.ErrorException with a multi-line message
        raise DistillLabError(f"expected {what}, found a file USD cannot open: {_one_line(err)}") from None
    if stage is None or not stage.GetDefaultPrim():
        raise DistillLabError(f"expected {what} with a default prim, found none")
    model = model if model is not None else load_mjcf()
    masses, joints, roots = {}, {}, []
    for prim in stage.Traverse():
        if prim.HasAPI(UsdPhysics.ArticulationRootAPI):
            roots.append(prim.GetName())
        if prim.HasAPI(UsdPhysics.RigidBodyAPI):
            masses[prim.GetName()] = UsdPhysics.MassAPI(prim).GetMassAttr().Get()
        if prim.IsA(UsdPhysics.RevoluteJoint):
            joint = UsdPhysics.RevoluteJoint(prim)
            joints[prim.GetName()] = (joint.GetLowerLimitAttr().Get(), joint.GetUpperLimitAttr().Get())
    problems = []
    if roots != [BASE_BODY_NAME]:
        problems.append(f"articulation root(s) {roots} instead of ['{BASE_BODY_NAME}']")
    for i in range(1, model.nbody):
        name = model.body(i).name
        if masses.get(name) is None or not math.isclose(masses[name], model.body_mass[i], rel_tol=1e-5):
            problems.append(f"body {name} mass {masses.get(name)} instead of {model.body_mass[i]:.6g}")
    if sorted(masses) != sorted(GO1_BODY_NAMES):
        problems.append(f"{len(masses)} rigid bodies instead of 13")
    for name in GO1_JOINT_NAMES:
        lo, hi = (math.radians(x) for x in joints.get(name, (math.nan, math.nan)))
        ref = model.joint(name).range
        if not (math.isclose(lo, ref[0], abs_tol=1e-5) and math.isclose(hi, ref[1], abs_tol=1e-5)):
            problems.append(f"joint {name} limits ({lo:.4f}, {hi:.4f}) rad instead of ({ref[0]:.4f}, {ref[1]:.4f})")
    if sorted(joints) != sorted(GO1_JOINT_NAMES):
        problems.append(f"{len(joints)} revolute joints instead of 12")
    if problems:
        raise DistillLabError(f"expected {what} matching the MJCF, found: {_one_line('; '.join(problems), 400)}")
    return {"bodies": len(masses), "joints": len(joints), "mass": sum(masses.values())}


# --- the build


def _run(cmd: list[str], what: str, timeout: float = 900.0) -> subprocess.CompletedProcess:
    """Run a command quietly; a failure becomes a one-line DistillLabError quoting the last line it printed."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONNOUSERSITE": "1"}
    env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise DistillLabError(f"{what} failed: {_one_line(err)}") from None
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip() and "WARNING: Location" not in ln]
        raise DistillLabError(f"{what} failed (exit {proc.returncode}): {_one_line(lines[-1] if lines else '')}")
    return proc


def _download_wheel(folder: Path, log) -> Path:
    """The mjlab wheel in ``folder/downloads`` (downloaded with pip unless present), with its sha256 checked."""
    downloads = folder / "downloads"
    wheel = downloads / MJLAB_WHEEL
    if not (wheel.is_file() and _sha256(wheel) == MJLAB_WHEEL_SHA256):
        downloads.mkdir(parents=True, exist_ok=True)
        wheel.unlink(missing_ok=True)
        log(f"[go1] pip download --no-deps mjlab=={MJLAB_VERSION}")
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(downloads),
              f"mjlab=={MJLAB_VERSION}"], f"pip download --no-deps mjlab=={MJLAB_VERSION}")  # fmt: skip
    if not wheel.is_file():
        raise DistillLabError(f"expected pip to download {MJLAB_WHEEL} into {downloads}, found no such file")
    digest = _sha256(wheel)
    if digest != MJLAB_WHEEL_SHA256:
        raise DistillLabError(f"expected {wheel} with sha256 {MJLAB_WHEEL_SHA256[:12]}..., found {digest[:12]}...")
    return wheel


def _extract_go1(wheel: Path, dest: Path) -> dict[str, str]:
    """Extract the Go1 MJCF and meshes into ``dest`` (replacing it), each checked against the wheel's RECORD."""
    tmp = Path(tempfile.mkdtemp(prefix=".mjcf-", dir=dest.parent))
    os.chmod(tmp, 0o755)
    try:
        with zipfile.ZipFile(wheel) as zf:
            rows = csv.reader(io.StringIO(zf.read(f"mjlab-{MJLAB_VERSION}.dist-info/RECORD").decode("utf-8")))
            record = {row[0]: row[1] for row in rows if row and row[0].startswith(WHEEL_GO1_DIR)}
            if WHEEL_GO1_DIR + "go1.xml" not in record:
                raise DistillLabError(f"expected {WHEEL_GO1_DIR}go1.xml in {wheel}, found no such entry in its RECORD")
            hashes = {}
            for name, algo_digest in sorted(record.items()):
                data = zf.read(name)
                algo, _, expected = algo_digest.partition("=")
                found = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
                if found != expected:
                    raise DistillLabError(f"expected {name} in {wheel} to match its RECORD {algo} hash, found another")
                rel = name[len(WHEEL_GO1_DIR) :]
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp / rel).write_bytes(data)
                hashes[rel] = hashlib.sha256(data).hexdigest()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DistillLabError(f"expected the mjlab wheel {wheel} with the Go1 files, found: {_one_line(err)}") from None
    except DistillLabError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return hashes


def _converter_python(folder: Path, log) -> Path:
    """Python of the throwaway converter venv in ``folder/converter-venv`` (created and filled when missing)."""
    venv = folder / "converter-venv"
    python = venv / "bin" / "python"
    marker = venv / "requirements.txt"
    wanted = "\n".join(CONVERTER_REQUIREMENTS + ("# constraints",) + CONVERTER_CONSTRAINTS) + "\n"
    if python.is_file() and marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log(f"[go1] creating the converter venv {venv} ({', '.join(CONVERTER_REQUIREMENTS[:2])}, ...)")
    _run([sys.executable, "-m", "venv", str(venv)], "creating the converter venv")
    constraints = venv / "constraints.txt"
    constraints.write_text("\n".join(CONVERTER_CONSTRAINTS) + "\n", encoding="utf-8")
    _run([str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), *CONVERTER_REQUIREMENTS],
         "pip install of the converter (" + " ".join(CONVERTER_REQUIREMENTS) + ")")  # fmt: skip
    marker.write_text(wanted, encoding="utf-8")
    return python


def _inputs() -> dict:
    return {
        "build_version": BUILD_VERSION,
        "mjlab": MJLAB_VERSION,
        "wheel_sha256": MJLAB_WHEEL_SHA256,
        "converter": list(CONVERTER_REQUIREMENTS),
        "constraints": list(CONVERTER_CONSTRAINTS),
    }


def is_built(folder: str | Path | None = None) -> bool:
    """Whether ``folder`` (default :func:`cache_dir`) holds a complete build of the current recipe, intact."""
    folder = Path(folder or cache_dir())
    stamp = read_stamp(folder)
    if stamp is None or stamp.get("inputs") != _inputs():
        return False
    files = {usd_path(folder).name: usd_path(folder)}
    files.update({f"mjcf/{rel}": folder / "mjcf" / rel for rel in stamp.get("mjcf", {})})
    expected = {**stamp.get("outputs", {}), **{f"mjcf/{rel}": h for rel, h in stamp.get("mjcf", {}).items()}}
    return "go1.xml" in stamp.get("mjcf", {}) and all(
        path.is_file() and _sha256(path) == expected.get(name) for name, path in files.items()
    )


@contextlib.contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on ``folder/.build.lock`` (concurrent builds, e.g. two pytest workers, wait)."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(folder: str | Path | None = None, *, force: bool = False, keep_venv: bool = False, log=print) -> Path:
    """Build the Go1 USD into ``folder`` (default :func:`cache_dir`) unless an intact build is there; return its path.

    Args:
        folder: cache folder of the build (created if needed).
        force: rebuild even if the stamp says the build is current.
        keep_venv: keep the converter venv (about 310 MB) for faster rebuilds.
        log: where progress lines go.

    Raises:
        DistillLabError: a download, install, conversion or check failed (one line saying what and where).
    """
    folder = Path(folder).expanduser().resolve() if folder is not None else cache_dir()
    with _locked(folder):
        if not force and is_built(folder):
            return usd_path(folder)
        start = time.perf_counter()
        (folder / STAMP_NAME).unlink(missing_ok=True)
        wheel = _download_wheel(folder, log)
        mjcf_hashes = _extract_go1(wheel, folder / "mjcf")
        model = load_mjcf(mjcf_path(folder))
        python = _converter_python(folder, log)
        log("[go1] converting go1.xml with mujoco_usd_converter")
        with tempfile.TemporaryDirectory(prefix=".convert-", dir=folder) as tmp:
            _run([str(python), "-m", "mujoco_usd_converter", "--no-layer-structure", "--no-physics-scene",
                  str(mjcf_path(folder)), tmp], "mujoco_usd_converter on go1.xml")  # fmt: skip
            produced = Path(tmp) / "go1.usdc"
            if not produced.is_file():
                found = ", ".join(sorted(p.name for p in Path(tmp).iterdir())) or "nothing"
                raise DistillLabError(f"expected mujoco_usd_converter to write go1.usdc, found {found}")
            summary = validate_usd(produced, model)
            os.replace(produced, usd_path(folder))
        if not keep_venv:
            shutil.rmtree(folder / "converter-venv", ignore_errors=True)
        for name in ("LICENSE", "README.md"):  # the model's license travels with the files
            source = Path(__file__).resolve().parent / "data" / "unitree_go1" / name
            if source.is_file():
                shutil.copyfile(source, folder / name)
        stamp = {
            "inputs": _inputs(),
            "outputs": {usd_path(folder).name: _sha256(usd_path(folder))},
            "mjcf": mjcf_hashes,
            "summary": summary,
            "built": time.strftime("%Y-%m-%d %H:%M:%S"),
            "build_s": round(time.perf_counter() - start, 1),
        }
        tmp_stamp = folder / f".{STAMP_NAME}.tmp"
        tmp_stamp.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp_stamp, folder / STAMP_NAME)
        log(f"[go1] wrote {usd_path(folder)} ({usd_path(folder).stat().st_size / 1e6:.1f} MB) in {stamp['build_s']} s")
        return usd_path(folder)


# --- the Isaac Lab config


def spawn_go1(prim_path: str, cfg: sim_utils.UsdFileCfg, translation=None, orientation=None, **kwargs):
    """``spawn_from_usd`` after :func:`check_usd`, so that a missing or corrupt build is a one-line error."""
    from isaaclab.sim.spawners.from_files.from_files import spawn_from_usd

    check_usd(cfg.usd_path)
    return spawn_from_usd(prim_path, cfg, translation, orientation, **kwargs)


UNITREE_GO1_MENAGERIE_CFG = ArticulationCfg(
    spawn=sim_utils.UsdFileCfg(
        func=spawn_go1,
        usd_path=GO1_USD_PATH,
        activate_contact_sensors=True,
        articulation_props=[NewtonArticulationCfg(self_collision_enabled=False)],
    ),
    init_state=ArticulationCfg.InitialStateCfg(
        pos=(0.0, 0.0, GO1_INIT_BASE_HEIGHT),
        joint_pos=GO1_INIT_JOINT_POS,
        joint_vel={".*": 0.0},
    ),
    soft_joint_pos_limit_factor=0.9,
    actuators={
        "hip_thigh": ImplicitActuatorCfg(
            joint_names_expr=[".*_hip_joint", ".*_thigh_joint"],
            stiffness=HIP_STIFFNESS,
            damping=HIP_DAMPING,
            armature=HIP_ARMATURE,
            joint_effort_limit=HIP_EFFORT_LIMIT,
            actuator_velocity_limit=HIP_VELOCITY_LIMIT,
        ),
        "calf": ImplicitActuatorCfg(
            joint_names_expr=[".*_calf_joint"],
            stiffness=KNEE_STIFFNESS,
            damping=KNEE_DAMPING,
            armature=KNEE_ARMATURE,
            joint_effort_limit=KNEE_EFFORT_LIMIT,
            actuator_velocity_limit=KNEE_VELOCITY_LIMIT,
        ),
    },
)
"""Unitree Go1 (MuJoCo Menagerie via mjlab 1.6.0) from the built USD: mjlab's gains as implicit PD, mjlab's initial
pose, self-collisions off; set ``prim_path`` per scene. Build the USD first (``python -m distill_lab.assets.go1``).

The init state is applied by the environment's reset events, not at spawn (right after ``sim.reset()`` the joints are
at the USD's zero pose). With these soft gains (10 Hz) the held pose sags: the base settles at about 0.256 m, joints
up to 0.22 rad off target, with :data:`GO1_IMPRATIO`.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help=f"cache folder (default: {cache_dir()})")
    parser.add_argument("--force", action="store_true", help="rebuild even if an intact build is there")
    parser.add_argument("--keep-venv", action="store_true", help="keep the converter venv (about 310 MB)")
    args = parser.parse_args(argv)
    folder = args.cache.expanduser().resolve() if args.cache else cache_dir()
    if not args.force and is_built(folder):
        print(f"[go1] up to date: {usd_path(folder)}")
        return
    build(folder, force=args.force, keep_venv=args.keep_venv)


if __name__ == "__main__":
    from distill_lab.io import run_cli

    run_cli(main)
