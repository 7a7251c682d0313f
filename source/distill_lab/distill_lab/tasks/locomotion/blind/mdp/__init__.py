"""MDP terms of blind_rl: Isaac Lab's stock and locomotion velocity terms plus the privileged observations."""

from isaaclab.envs.mdp import *  # noqa: F401, F403
from isaaclab_tasks.core.velocity.mdp import *  # noqa: F401, F403

from .observations import base_height, base_mass, foot_contact, foot_friction  # noqa: F401
