"""MDP terms of Quadcopter-Point-Ctrl, on top of Isaac Lab's stock terms."""

from isaaclab.envs.mdp import *  # noqa: F401, F403

from .actions import QuadrotorMotorAction, QuadrotorMotorActionCfg  # noqa: F401
from .commands import TargetPointCommand, TargetPointCommandCfg  # noqa: F401
from .events import *  # noqa: F401, F403
from .observations import *  # noqa: F401, F403
from .rewards import *  # noqa: F401, F403
from .terminations import *  # noqa: F401, F403
