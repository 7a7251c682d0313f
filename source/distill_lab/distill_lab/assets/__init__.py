"""Local robot and scene assets: the project's quadruped and quadrotor, the real Unitree Go1 (built from MuJoCo
Menagerie's MJCF, :mod:`.go1`) and a ground plane; nothing comes from an asset server."""

from pathlib import Path

GROUND_PLANE_USD = str(Path(__file__).resolve().parent / "data" / "ground_plane.usda")
"""A local infinite collision plane (Isaac Lab's default ground plane is a USD on its asset server)."""
