"""Motor action term: four normalized motor commands -> first-order rotor lag -> X mixer -> body wrench.

The term also owns the per-env motor and disturbance parameters (randomized at reset by
:func:`~.events.randomize_quadrotor_dynamics`) so privileged observations can read the true values.
"""

from __future__ import annotations

from dataclasses import MISSING
from typing import TYPE_CHECKING

import isaaclab.utils.math as math_utils
import torch
from isaaclab.assets import RigidObject
from isaaclab.managers import ActionTerm, ActionTermCfg
from isaaclab.utils import configclass

from distill_lab.assets import quadrotor

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedEnv

GRAVITY = 9.81


class QuadrotorMotorAction(ActionTerm):
    """Maps actions in [-1, 1] to rotor speed commands and applies the resulting thrust and torques every physics step.

    Model per rotor ``i`` (normalized rotor speed ``w_i`` in [0, 1]):

    * thrust command ``c_i = (clip(a_i, -1, 1) + 1) / 2`` (fraction of the maximum thrust, so ``a = 0`` is
      hover at a thrust-to-weight of 2), i.e. a rotor speed command ``sqrt(c_i)``;
    * lag ``w_i <- w_i + (sqrt(c_i) - w_i) * (1 - exp(-dt / tau))``;
    * thrust ``f_i = k_f * w_i^2`` with ``k_f = thrust_to_weight * m * g / 4``;
    * yaw torque ``s_i * k_m * f_i``; roll and pitch torques from the rotor positions (X layout).

    A constant world-frame disturbance force (wind) is added to the body wrench.
    """

    cfg: QuadrotorMotorActionCfg

    def __init__(self, cfg: QuadrotorMotorActionCfg, env: ManagerBasedEnv):
        super().__init__(cfg, env)
        self._asset: RigidObject = env.scene[cfg.asset_name]
        n, dev = self.num_envs, self.device
        self._raw_actions = torch.zeros(n, 4, device=dev)
        self._rotor_cmd = torch.zeros(n, 4, device=dev)
        self._physics_dt = env.physics_dt
        self.rotor_speed = torch.zeros(n, 4, device=dev)
        """Normalized rotor speeds in [0, 1] (the motor state)."""
        self.thrust_to_weight = torch.full((n,), quadrotor.CRAZYFLIE_THRUST_TO_WEIGHT, device=dev)
        """Ratio of maximum total thrust to weight, per env."""
        self.motor_time_constant = torch.full((n,), quadrotor.CRAZYFLIE_MOTOR_TIME_CONSTANT, device=dev)
        """Rotor speed time constant [s], per env."""
        self.torque_coefficient = torch.full((n,), quadrotor.CRAZYFLIE_TORQUE_COEFFICIENT, device=dev)
        """Rotor drag torque per unit thrust [m], per env."""
        self.disturbance_force_w = torch.zeros(n, 3, device=dev)
        """Constant disturbance (wind) force in the world frame [N], per env."""
        pos = torch.tensor(quadrotor.ROTOR_POSITIONS, device=dev)
        spin = torch.tensor(quadrotor.ROTOR_SPIN, device=dev)
        # torque per unit thrust of each rotor: r x (0, 0, 1) = (y, -x, 0), plus the drag torque's z sign
        self._roll_pitch_arm = torch.stack((pos[:, 1], -pos[:, 0]), dim=-1)  # (4, 2)
        self._spin = spin
        self._forces = torch.zeros(n, 1, 3, device=dev)
        self._torques = torch.zeros(n, 1, 3, device=dev)

    @property
    def action_dim(self) -> int:
        return 4

    @property
    def raw_actions(self) -> torch.Tensor:
        return self._raw_actions

    @property
    def processed_actions(self) -> torch.Tensor:
        """Commanded normalized rotor speeds."""
        return self._rotor_cmd

    @property
    def max_thrust(self) -> torch.Tensor:
        """Maximum thrust of one rotor [N], per env: ``thrust_to_weight * m * g / 4``."""
        return self.thrust_to_weight * self._asset.data.body_mass.torch[:, 0] * GRAVITY / 4.0

    def deploy_metadata(self) -> dict:
        """The nominal motor model a second simulator or a flight controller needs (exported with the policy): thrust
        command mapping, thrust-to-weight, motor time constant, torque coefficient, rotor layout, gravity, and the
        nominal mass and inertia the privileged observations are relative to."""
        return {
            "model": "quadrotor_x",
            "command": "rotor speed command sqrt((clip(a, -1, 1) + 1) / 2); thrust k_f * w^2, k_f = t2w * m * g / 4",
            "thrust_to_weight": quadrotor.CRAZYFLIE_THRUST_TO_WEIGHT,
            "motor_time_constant": quadrotor.CRAZYFLIE_MOTOR_TIME_CONSTANT,
            "torque_coefficient": quadrotor.CRAZYFLIE_TORQUE_COEFFICIENT,
            "rotor_positions": [list(p) for p in quadrotor.ROTOR_POSITIONS],
            "rotor_spin": list(quadrotor.ROTOR_SPIN),
            "gravity": GRAVITY,
            "nominal_mass": quadrotor.CRAZYFLIE_MASS,
            "nominal_inertia": list(quadrotor.CRAZYFLIE_INERTIA),
            "wrench_frame": "body",
        }

    def process_actions(self, actions: torch.Tensor):
        self._raw_actions[:] = actions
        self._rotor_cmd[:] = ((actions.clamp(-1.0, 1.0) + 1.0) * 0.5).sqrt()

    def apply_actions(self):
        alpha = 1.0 - torch.exp(-self._physics_dt / self.motor_time_constant)
        self.rotor_speed += (self._rotor_cmd - self.rotor_speed) * alpha.unsqueeze(-1)
        thrust = self.max_thrust.unsqueeze(-1) * self.rotor_speed.square()  # (n, 4) [N]
        wind_b = math_utils.quat_apply_inverse(self._asset.data.root_quat_w.torch, self.disturbance_force_w)
        self._forces[:, 0] = wind_b
        self._forces[:, 0, 2] += thrust.sum(-1)
        self._torques[:, 0, :2] = thrust @ self._roll_pitch_arm
        self._torques[:, 0, 2] = self.torque_coefficient * (thrust @ self._spin)
        self._asset.permanent_wrench_composer.set_forces_and_torques_index(
            forces=self._forces, torques=self._torques, body_ids=[0]
        )

    def reset(self, env_ids=None):
        env_ids = slice(None) if env_ids is None else env_ids
        self._raw_actions[env_ids] = 0.0
        # start each episode with the rotors at their hover speed
        hover = (1.0 / self.thrust_to_weight[env_ids]).sqrt().unsqueeze(-1)
        self.rotor_speed[env_ids] = hover
        self._rotor_cmd[env_ids] = hover


@configclass
class QuadrotorMotorActionCfg(ActionTermCfg):
    """Configuration of :class:`QuadrotorMotorAction`."""

    class_type: type[ActionTerm] = QuadrotorMotorAction
    """The action term class."""

    asset_name: str = MISSING
    """Name of the quadrotor rigid object in the scene."""
