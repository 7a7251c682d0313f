"""Isaac Lab's observation, reward and termination terms rebuilt from MuJoCo's state, in NumPy, one env at a time.

Each registry maps a term function's ``module:name`` (as the contract names it) to a NumPy function of the deploy env
(:class:`~distill_lab.deploy.runner.MjEnv`) and the term's parameters from the contract. A term whose function is not
here is a one-line error for observations (the policy cannot run without it); for rewards and terminations it is
reported as not computed.
"""

from __future__ import annotations

import numpy as np

from distill_lab.io import DistillLabError

ISAAC_OBS = "isaaclab.envs.mdp.observations"
ISAAC_REW = "isaaclab.envs.mdp.rewards"
ISAAC_DONE = "isaaclab.envs.mdp.terminations"
VELOCITY_REW = "isaaclab_tasks.core.velocity.mdp.rewards"
QUAD = "distill_lab.tasks.quadcopter.mdp"


def _joint_index(env, params: dict) -> np.ndarray:
    """Indices (into the contract's joint order) of the joints a term's ``asset_cfg`` selects, by name."""
    names = (params.get("asset_cfg") or {}).get("joint_names")
    return env.joint_index(names)


def _motor(env):
    motor = getattr(env.action_model, "rotor_speed", None)
    if motor is None:
        raise DistillLabError("expected a quadrotor motor action term for a motor observation, found none")
    return env.action_model


# --- observations (Isaac Lab's conventions: root link frame, centre-of-mass velocities)


def _last_action(env, action_name=None):
    return env.action.copy() if action_name is None else env.term_action(action_name)


OBSERVATIONS = {
    f"{ISAAC_OBS}:base_lin_vel": lambda env, **p: env.robot.lin_vel_b(),
    f"{ISAAC_OBS}:base_ang_vel": lambda env, **p: env.robot.ang_vel_b(),
    f"{ISAAC_OBS}:projected_gravity": lambda env, **p: env.robot.projected_gravity_b(),
    f"{ISAAC_OBS}:root_lin_vel_w": lambda env, **p: env.robot.lin_vel_w(),
    f"{ISAAC_OBS}:root_ang_vel_w": lambda env, **p: env.robot.ang_vel_w(),
    f"{ISAAC_OBS}:root_pos_w": lambda env, **p: env.robot.root_pos(),
    f"{ISAAC_OBS}:base_pos_z": lambda env, **p: env.robot.root_pos()[2:],
    f"{ISAAC_OBS}:generated_commands": lambda env, command_name=None, **p: env.command_value(command_name),
    f"{ISAAC_OBS}:joint_pos": lambda env, **p: env.robot.joint_pos()[_joint_index(env, p)],
    f"{ISAAC_OBS}:joint_vel": lambda env, **p: env.robot.joint_vel()[_joint_index(env, p)],
    f"{ISAAC_OBS}:joint_pos_rel": lambda env, **p: (env.robot.joint_pos() - env.default_joint_pos)[
        _joint_index(env, p)
    ],
    f"{ISAAC_OBS}:joint_vel_rel": lambda env, **p: (env.robot.joint_vel() - env.default_joint_vel)[
        _joint_index(env, p)
    ],
    f"{ISAAC_OBS}:last_action": lambda env, action_name=None, **p: _last_action(env, action_name),
    # the quadcopter's terms: what the flight controller senses ...
    f"{QUAD}.observations:target_pos_error": lambda env, command_name, **p: (
        env.command_value(command_name) - env.robot.root_pos()
    ),
    f"{QUAD}.observations:rotation_matrix": lambda env, **p: env.robot.rotation().reshape(-1),
    # ... and the privileged truth the teacher reads (the twin's values over the nominal ones in the contract)
    f"{QUAD}.observations:mass_ratio": lambda env, **p: np.array(
        [env.action_model.mass / env.action_model.nominal_mass]
    ),
    f"{QUAD}.observations:inertia_ratio": lambda env, **p: env.action_model.inertia / env.action_model.nominal_inertia,
    f"{QUAD}.observations:thrust_to_weight": lambda env, **p: np.array([_motor(env).thrust_to_weight]),
    f"{QUAD}.observations:motor_time_constant": lambda env, **p: np.array(
        [_motor(env).motor_time_constant / _motor(env).nominal_time_constant]
    ),
    f"{QUAD}.observations:torque_coefficient": lambda env, **p: np.array(
        [_motor(env).torque_coefficient / _motor(env).nominal_torque_coefficient]
    ),
    f"{QUAD}.observations:disturbance_force": lambda env, **p: (
        _motor(env).disturbance_force_w / (_motor(env).nominal_mass * _motor(env).gravity)
    ),
    f"{QUAD}.observations:rotor_speed": lambda env, **p: _motor(env).rotor_speed.copy(),
}
"""Observation functions by ``module:name``, each returning a 1-D array for one env."""


class ObservationBuilder:
    """The policy's observation vector from the deploy env: each contract term in order, then its clip and scale
    (Isaac Lab's order: function, noise, clip, scale; noise is off, as in Isaac Lab's play mode)."""

    def __init__(self, contract):
        self.terms = []
        """(name, function, params, clip, scale, dim) per term, in the contract's order."""
        for term in contract["observations"]:
            func = OBSERVATIONS.get(term["func"])
            if func is None:
                raise DistillLabError(
                    f"expected observation term '{term['group']}/{term['term']}' to use a function sim2sim can build "
                    f"from MuJoCo's state, found '{term['func']}'; known: {', '.join(sorted(OBSERVATIONS))}"
                )
            if int(term.get("history_length") or 0) > 0:
                raise DistillLabError(
                    f"expected observation term '{term['term']}' without history, found history_length "
                    f"{term['history_length']} (not supported by sim2sim)"
                )
            if term.get("modifiers"):
                raise DistillLabError(f"expected observation term '{term['term']}' without modifiers, found some")
            params = {k: v for k, v in (term["params"] or {}).items()}
            name = f"{term['group']}/{term['term']}"
            self.terms.append((name, func, params, term["clip"], term["scale"], int(term["dim"])))

    def by_term(self, env) -> dict[str, np.ndarray]:
        """Each term's value (after clip and scale), by ``group/term``."""
        out = {}
        for name, func, params, clip, scale, dim in self.terms:
            value = np.asarray(func(env, **params), float).reshape(-1)
            if value.shape[0] != dim:
                raise DistillLabError(f"expected observation term '{name}' of size {dim}, built {value.shape[0]}")
            if clip:
                value = np.clip(value, float(clip[0]), float(clip[1]))
            if scale is not None:
                value = value * np.asarray(scale, float)
            out[name] = value
        return out

    def __call__(self, env) -> np.ndarray:
        """The concatenated observation vector (float32)."""
        return np.concatenate(list(self.by_term(env).values())).astype(np.float32)


# --- rewards (per step, before the weight and the step's dt: the reward manager multiplies by both)


def _feet_air_time(env, command_name, sensor_cfg, threshold, **p):
    sensor = env.sensor(sensor_cfg["name"])
    bodies = sensor.index(sensor_cfg["body_names"])
    first_contact = sensor.first_contact(env.control_dt)[bodies]
    reward = np.sum((sensor.last_air_time[bodies] - threshold) * first_contact)
    return reward * float(np.linalg.norm(env.command_value(command_name)[:2]) > 0.1)


def _joint_pos_limits(env, **p):
    index = _joint_index(env, p)
    q, limits = env.robot.joint_pos()[index], env.soft_joint_limits[index]
    return float(np.sum(-np.minimum(q - limits[:, 0], 0.0) + np.maximum(q - limits[:, 1], 0.0)))


REWARDS = {
    f"{ISAAC_REW}:track_lin_vel_xy_exp": lambda env, command_name, std, **p: np.exp(
        -np.sum((env.command_value(command_name)[:2] - env.robot.lin_vel_b()[:2]) ** 2) / std**2
    ),
    f"{ISAAC_REW}:track_ang_vel_z_exp": lambda env, command_name, std, **p: np.exp(
        -((env.command_value(command_name)[2] - env.robot.ang_vel_b()[2]) ** 2) / std**2
    ),
    f"{ISAAC_REW}:lin_vel_z_l2": lambda env, **p: env.robot.lin_vel_b()[2] ** 2,
    f"{ISAAC_REW}:ang_vel_xy_l2": lambda env, **p: np.sum(env.robot.ang_vel_b()[:2] ** 2),
    f"{ISAAC_REW}:joint_torques_l2": lambda env, **p: np.sum(env.applied_torque[_joint_index(env, p)] ** 2),
    f"{ISAAC_REW}:joint_acc_l2": lambda env, **p: np.sum(env.joint_acc[_joint_index(env, p)] ** 2),
    f"{ISAAC_REW}:action_rate_l2": lambda env, **p: np.sum((env.action - env.prev_action) ** 2),
    f"{ISAAC_REW}:action_l2": lambda env, **p: np.sum(env.action**2),
    f"{ISAAC_REW}:flat_orientation_l2": lambda env, **p: np.sum(env.robot.projected_gravity_b()[:2] ** 2),
    f"{ISAAC_REW}:joint_pos_limits": _joint_pos_limits,
    f"{ISAAC_REW}:is_alive": lambda env, **p: float(not env.terminated),
    f"{ISAAC_REW}:is_terminated": lambda env, **p: float(env.terminated),
    f"{VELOCITY_REW}:feet_air_time": _feet_air_time,
    f"{QUAD}.rewards:target_distance": lambda env, command_name, **p: np.linalg.norm(
        env.command_value(command_name) - env.robot.root_pos()
    ),
    f"{QUAD}.rewards:target_proximity": lambda env, command_name, std, **p: np.exp(
        -np.sum((env.command_value(command_name) - env.robot.root_pos()) ** 2) / std**2
    ),
    f"{QUAD}.rewards:lin_vel_l2": lambda env, **p: np.sum(env.robot.lin_vel_w() ** 2),
    f"{QUAD}.rewards:ang_vel_l2": lambda env, **p: np.sum(env.robot.ang_vel_b() ** 2),
}
"""Reward functions by ``module:name`` (the unweighted per-step value for one env)."""


# --- terminations


def _illegal_contact(env, sensor_cfg, threshold, **p):
    sensor = env.sensor(sensor_cfg["name"])
    return bool(np.any(sensor.force_history[:, sensor.index(sensor_cfg["body_names"])] > threshold))


TERMINATIONS = {
    f"{ISAAC_DONE}:illegal_contact": _illegal_contact,
    f"{ISAAC_DONE}:bad_orientation": lambda env, limit_angle, **p: bool(
        np.arccos(np.clip(-env.robot.projected_gravity_b()[2], -1.0, 1.0)) > limit_angle
    ),
    f"{ISAAC_DONE}:root_height_below_minimum": lambda env, minimum_height, **p: bool(
        env.robot.root_pos()[2] < minimum_height
    ),
    f"{QUAD}.terminations:ground_contact": lambda env, min_height, **p: bool(env.robot.root_pos()[2] < min_height),
    f"{QUAD}.terminations:far_from_target": lambda env, command_name, max_distance, **p: bool(
        np.linalg.norm(env.command_value(command_name) - env.robot.root_pos()) > max_distance
    ),
    f"{QUAD}.terminations:flipped": lambda env, **p: bool(env.robot.projected_gravity_b()[2] > 0.0),
}
"""Termination functions by ``module:name`` (True ends the episode); the time-out is the episode length itself."""
