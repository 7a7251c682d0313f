#!/usr/bin/env bash
# One command to set up distill_lab: a .venv with the pinned kit-less Isaac Lab 3.0 stack and this extension.
#
#   bash scripts/setup.sh            # Python 3.11 (CPU machine): pinned lock, CPU torch 2.13.0, no CUDA wheels
#                                    # Python 3.12 (GPU workstation): pip install isaaclab==3.0.0 as upstream pins it
# Environment: PYTHON (interpreter to build the venv from, default python3.11 / python3), VENV (default .venv),
# NO_APT=1 (skip the Debian packages).
# Re-running is quick: the install is skipped while the lock file is unchanged, apt while its packages are there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# Debian packages for watching a policy (play.py --video / --viz viser and their tests): a virtual X server and
# Mesa's software OpenGL for the NewtonGL window, ffmpeg, and chromium to open the Viser page headless.
APT_PACKAGES="xvfb libgl1-mesa-dri libegl-mesa0 libglu1-mesa ffmpeg chromium"
MISSING=""
for pkg in $APT_PACKAGES; do
  case "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" in ii*) ;; *) MISSING="$MISSING $pkg" ;; esac
done
MISSING=${MISSING# }
if [ -z "$MISSING" ]; then
  echo "[setup] Debian packages present: $APT_PACKAGES"
elif [ "${NO_APT:-0}" = "1" ]; then
  echo "[setup] NO_APT=1: not installing the Debian packages $MISSING (video and browser tests will skip)"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[setup] installing Debian packages (--no-install-recommends): $MISSING"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $MISSING >/dev/null; }; then
    echo "[setup] warning: apt-get could not install $MISSING; video and browser tests will skip"
  fi
else
  echo "[setup] skipping Debian packages (needs root and apt-get): $MISSING"
  echo "[setup]   install them with: sudo apt-get install -y --no-install-recommends $MISSING"
fi

VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3.12 || command -v python3)}
LOCK=scripts/requirements-kitless.txt
ISAACLAB_VERSION=3.0.0

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PYVER=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
STAMP="$VENV/.distill_lab_setup"
WANT="$PYVER $(sha256sum "$LOCK" scripts/setup.sh source/distill_lab/pyproject.toml | sha256sum | cut -c1-16)"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "[setup] $VENV is up to date ($WANT); nothing to install"
else
  "$PY" -m pip install --quiet --upgrade pip
  if [ "$PYVER" = "3.11" ]; then
    # Isaac Lab 3.0's metadata asks for Python 3.12 and torch 2.11 (CUDA); its files run on 3.11 with the CPU
    # torch 2.13.0, so install the pinned lock under a torch constraint, then Isaac Lab without its deps.
    CONSTRAINT=$(mktemp)
    echo "torch==2.13.0" > "$CONSTRAINT"
    echo "[setup] installing the pinned kit-less stack (Python 3.11, CPU torch)"
    "$PY" -m pip install --quiet -c "$CONSTRAINT" -r "$LOCK"
    "$PY" -m pip install --quiet --no-deps --ignore-requires-python "isaaclab==$ISAACLAB_VERSION"
    "$PY" -m pip install --quiet --no-deps -e source/distill_lab
    rm -f "$CONSTRAINT"
  elif [ "$PYVER" = "3.12" ]; then
    echo "[setup] installing isaaclab==$ISAACLAB_VERSION with its own pins (Python 3.12)"
    "$PY" -m pip install --quiet "isaaclab==$ISAACLAB_VERSION" pytest==9.2.0 pytest-xdist==3.8.0 ruff==0.17.6 onnxruntime==1.31.1 \
      onnxscript==0.7.2 wandb==0.31.0
    "$PY" -m pip install --quiet -e source/distill_lab
  else
    echo "[setup] error: Python $PYVER found; distill_lab needs Python 3.11 (CPU, kit-less) or 3.12." >&2
    exit 1
  fi
  echo "$WANT" > "$STAMP"
fi

# The real Unitree Go1: MuJoCo Menagerie's MJCF from the mjlab wheel, converted to USD once into the user's cache
# (a throwaway converter venv; about 40 s the first time, a no-op afterwards).
"$PY" -m distill_lab.assets.go1

"$PY" - <<'PY'
import importlib.metadata as md
import isaaclab, isaaclab_rl, rsl_rl, torch, distill_lab  # noqa: F401
for name in ("isaaclab", "rsl-rl-lib", "newton", "warp-lang", "torch", "distill_lab"):
    print(f"[setup] {name:12s} {md.version(name)}")
print(f"[setup] cuda available: {torch.cuda.is_available()}")
PY
echo "[setup] done: activate with 'source $VENV/bin/activate'"
