"""The policy's action terms in MuJoCo, as the training env applied them: joint position targets through the PD
actuators of the scene (Isaac Lab's ``JointPositionAction``: scale, offset, clip), or the quadrotor's four motor
commands through its first-order motor lag and X mixer as a body wrench (``xfrc_applied``) every physics step."""

from __future__ import annotations

import math

import numpy as np

from distill_lab.io import DistillLabError


class JointPositionModel:
    """``target = offset + scale * action`` (clipped when the term clips) on the named joints' position actuators."""

    def __init__(self, term: dict, robot):
        self.robot = robot
        """The :class:`~distill_lab.deploy.scene.MjRobot` it drives."""
        index = {n: i for i, n in enumerate(robot.scene.joint_names)}
        missing = [n for n in term["joint_names"] if n not in index]
        if missing:
            raise DistillLabError(f"expected the action term's joints {missing} among the robot's joints, found none")
        self.actuators = robot.scene.actuators[[index[n] for n in term["joint_names"]]]
        """Actuator id of each of the term's joints, in the term's order."""
        dim = len(term["joint_names"])
        self.scale = np.broadcast_to(np.asarray(term.get("scale", 1.0), float), (dim,)).copy()
        """Action scale per joint [rad per unit]."""
        self.offset = np.broadcast_to(np.asarray(term.get("offset", 0.0), float), (dim,)).copy()
        """Action offset per joint [rad] (the default joint positions with ``use_default_offset``)."""
        clip = term.get("clip")
        self.clip = None if clip is None else np.asarray(clip, float).reshape(dim, 2)
        """Per-joint (low, high) clip of the processed target, or None."""
        self.targets = self.offset.copy()
        """The joint position targets in force."""

    def reset(self) -> None:
        """Targets back to the offset (action zero)."""
        self.targets = self.offset.copy()

    def process(self, action: np.ndarray) -> None:
        """Turn one control step's action into targets."""
        targets = self.offset + self.scale * action
        self.targets = targets if self.clip is None else np.clip(targets, self.clip[:, 0], self.clip[:, 1])

    def apply(self, dt: float) -> None:
        """Before each physics step: write the targets to the actuators."""
        self.robot.data.ctrl[self.actuators] = self.targets


class QuadrotorModel:
    """The quadrotor task's motor model (``QuadrotorMotorAction``): rotor speed command ``sqrt((clip(a) + 1) / 2)``,
    first-order lag per physics step (or every ``update_period`` seconds, the thrust held in between), thrust
    ``k_f w^2`` with ``k_f = t2w m g / 4``, roll and pitch torques from the rotor positions, yaw torque ``k_m`` times
    the spin-signed thrusts, plus a constant world-frame wind force."""

    def __init__(self, term: dict, robot):
        model = term.get("model")
        if not model:
            raise DistillLabError(
                "expected the quadrotor action term's 'model' (thrust-to-weight, motor time constant, rotor layout) "
                "in the policy's metadata, found none; re-export it with scripts/rsl_rl/export.py"
            )
        self.robot = robot
        """The :class:`~distill_lab.deploy.scene.MjRobot` it drives."""
        root = robot.scene.root_body
        self.mass = float(robot.model.body_subtreemass[root])
        """The MJCF vehicle's mass [kg]."""
        self.inertia = np.asarray(robot.model.body_inertia[root], float).copy()
        """The MJCF vehicle's principal inertia [kg m^2]."""
        self.thrust_to_weight = float(model["thrust_to_weight"])
        """Ratio of the four rotors' maximum thrust to the weight."""
        self.motor_time_constant = float(model["motor_time_constant"])
        """Rotor speed time constant [s]."""
        self.update_period = model.get("update_period")
        """Period the lag advances at [s], a whole number of physics steps (None: every physics step; the training
        advances it every step of its own physics, holding the thrust in between)."""
        self._steps = 0
        """Physics steps since the reset (the lag advances on the first of every ``update_period``)."""
        self.torque_coefficient = float(model["torque_coefficient"])
        """Rotor drag torque per unit thrust [m]."""
        self.gravity = float(model.get("gravity", 9.81))
        """Gravity used for the maximum thrust [m/s^2]."""
        self.nominal_mass = float(model["nominal_mass"])
        """Mass the privileged mass observation is relative to [kg]."""
        self.nominal_inertia = np.asarray(model["nominal_inertia"], float)
        """Inertia the privileged inertia observation is relative to [kg m^2]."""
        self.nominal_time_constant = self.motor_time_constant
        """Time constant the privileged observation is relative to [s] (the twin flies the nominal motors)."""
        self.nominal_torque_coefficient = self.torque_coefficient
        """Torque coefficient the privileged observation is relative to [m]."""
        positions = np.asarray(model["rotor_positions"], float)
        self.arm = np.stack([positions[:, 1], -positions[:, 0]], axis=-1)
        """Roll and pitch torque per unit thrust of each rotor [m]: r x (0, 0, 1) = (y, -x)."""
        self.spin = np.asarray(model["rotor_spin"], float)
        """Yaw-torque sign of each rotor."""
        self.disturbance_force_w = np.zeros(3)
        """Constant world-frame wind force [N] (none for the twin unless set)."""
        self.rotor_speed = np.zeros(4)
        """Normalized rotor speeds in [0, 1] (the motor state)."""
        self.command = np.zeros(4)
        """Commanded normalized rotor speeds."""
        self.reset()

    @property
    def max_thrust(self) -> float:
        """Maximum thrust of one rotor [N]."""
        return self.thrust_to_weight * self.mass * self.gravity / 4.0

    def reset(self) -> None:
        """Rotors at hover speed, as the task's reset does."""
        hover = math.sqrt(1.0 / self.thrust_to_weight)
        self.rotor_speed[:] = hover
        self.command[:] = hover
        self._steps = 0

    def process(self, action: np.ndarray) -> None:
        """Rotor speed commands from one control step's action."""
        self.command = np.sqrt((np.clip(action, -1.0, 1.0) + 1.0) * 0.5)

    def apply(self, dt: float) -> None:
        """Before each physics step: advance the motor lag and set the body wrench (world frame, at the COM)."""
        every = max(1, round((self.update_period or dt) / dt))
        if self._steps % every == 0:
            alpha = 1.0 - math.exp(-every * dt / self.motor_time_constant)
            self.rotor_speed += (self.command - self.rotor_speed) * alpha
        self._steps += 1
        thrust = self.max_thrust * self.rotor_speed**2
        rotation = self.robot.rotation()
        force_b = rotation.T @ self.disturbance_force_w
        force_b[2] += thrust.sum()
        torque_b = np.array([*(thrust @ self.arm), self.torque_coefficient * (thrust @ self.spin)])
        self.robot.data.xfrc_applied[self.robot.scene.root_body] = np.concatenate(
            [rotation @ force_b, rotation @ torque_b]
        )


ACTION_MODELS = {"JointPositionAction": JointPositionModel, "QuadrotorMotorAction": QuadrotorModel}
"""Action term classes sim2sim reproduces, by class name."""


def action_models(contract, robot) -> list[tuple[str, slice, object]]:
    """(term name, slice of the action vector, model) per action term of the contract."""
    models, start = [], 0
    for term in contract["actions"]:
        cls = ACTION_MODELS.get(term.get("class"))
        if cls is None:
            raise DistillLabError(
                f"expected action terms sim2sim reproduces ({', '.join(ACTION_MODELS)}), found '{term['term']}' of "
                f"class {term.get('class')}"
            )
        dim = int(term["dim"])
        models.append((term["term"], slice(start, start + dim), cls(term, robot)))
        start += dim
    return models
