"""The deployment contract: what an exported policy file carries besides its weights, so that a robot's controller or
a second simulator (``distill_lab.deploy``) can rebuild its observations and apply its actions without Isaac Lab.

:func:`policy_metadata` reads it from the live env: each observation term's function, parameters (scene entities
resolved to joint and body names), noise, clip and scale; the action terms (joints, scale, offset, clip); the robot
(joint names in the articulation's order, default joint positions and velocities, joint limits, PD gains, armature,
effort limits per joint, body names); the physics (time step, decimation, gravity, solver settings); the ground's
friction; the commands with their ranges; and the reward, termination and event terms. Every value is JSON; every
key of the first version (``observations``, ``obs_dim``, ``actions``, ``control_rate_hz``, ``recurrent``,
``recurrent_state``) keeps its meaning. A mismatch the metadata could have prevented is a bug here.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import math
from typing import Protocol, runtime_checkable

import numpy as np
import torch

METADATA_VERSION = 2
"""Version of the contract: 1 had only the layout (terms and sizes, action mapping, rate, memory); 2 adds what a
second simulator needs (functions, parameters, robot, physics, commands, rewards, terminations, events)."""


@runtime_checkable
class DescribesItself(Protocol):
    """An env term (an action term, a command term) that states the parameters a deployment needs to reproduce it,
    e.g. the quadrotor motor model's nominal thrust-to-weight, motor time constant and rotor layout."""

    def deploy_metadata(self) -> dict:
        """JSON-serializable parameters of the term as trained (nominal values, not one env's randomized ones)."""
        ...


def func_name(func) -> str:
    """``module:name`` of a term's function (or of its class, for a class-based term)."""
    target = func if inspect.isfunction(func) or inspect.isclass(func) or inspect.ismethod(func) else type(func)
    return f"{target.__module__}:{target.__qualname__}"


def _names(ids, names: list[str]) -> list[str]:
    """The names selected by ``ids`` (a slice, a list or a tensor of indices)."""
    if isinstance(ids, slice):
        return list(names[ids])
    if isinstance(ids, torch.Tensor):
        ids = ids.tolist()
    return [names[i] for i in ids]


def _entity(cfg, scene) -> dict:
    """A ``SceneEntityCfg`` with its joints and bodies resolved to names (the managers resolve them at start-up)."""
    entry = {"name": cfg.name}
    try:
        entity = scene[cfg.name]
    except KeyError:
        return entry
    joint_names, body_names = getattr(entity, "joint_names", None), getattr(entity, "body_names", None)
    if joint_names is not None and (cfg.joint_names is not None or not isinstance(cfg.joint_ids, slice)):
        entry["joint_names"] = _names(cfg.joint_ids, list(joint_names))
    elif joint_names is not None:
        entry["joint_names"] = list(joint_names)
    if body_names is not None and (cfg.body_names is not None or not isinstance(cfg.body_ids, slice)):
        entry["body_names"] = _names(cfg.body_ids, list(body_names))
    return entry


def jsonable(value, scene=None):
    """``value`` as JSON: scene entities resolved to names, functions as ``module:name``, config classes as dicts,
    tensors and arrays as lists, infinities as the strings ``inf`` / ``-inf``; anything else as its type's name."""
    from isaaclab.managers import SceneEntityCfg

    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, SceneEntityCfg):
        return _entity(value, scene) if scene is not None else {"name": value.name}
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, dict):
        return {str(k): jsonable(v, scene) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, scene) for v in value]
    if callable(value) and (inspect.isfunction(value) or inspect.isclass(value)):
        return func_name(value)
    if dataclasses.is_dataclass(value):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if not f.name.startswith("_")}
        out = {"class": type(value).__name__}
        for key, field in fields.items():
            if key.endswith("visualizer_cfg"):  # markers: how a viewer draws it, nothing a deployment needs
                continue
            out[key] = jsonable(field, scene)
        return out
    return type(value).__name__


def _vector(value) -> list[float]:
    """Env 0's row of a per-env tensor (or a warp-backed array), as floats."""
    tensor = value.torch if hasattr(value, "torch") else value
    return [float(x) for x in torch.as_tensor(tensor)[0].reshape(-1).tolist()]


def _observations(env, groups: list[str]) -> list[dict]:
    """Each term of ``groups``, in order: group, term, size, function, parameters, noise, clip, scale, history."""
    from .export import obs_layout

    unwrapped, layout = env.unwrapped, obs_layout(env)
    manager = getattr(unwrapped, "observation_manager", None)
    entries = []
    for group in groups:
        cfgs = manager._group_obs_term_cfgs[group] if manager is not None else [None] * len(layout[group])
        for (term, dim), cfg in zip(layout[group], cfgs, strict=True):
            entry = {"group": group, "term": term, "dim": dim}
            if cfg is not None:
                entry |= {
                    "func": func_name(cfg.func),
                    "params": jsonable(cfg.params, unwrapped.scene),
                    "noise": jsonable(cfg.noise),
                    "clip": jsonable(cfg.clip),
                    "scale": jsonable(cfg.scale),
                    "history_length": int(cfg.history_length),
                    "modifiers": jsonable(cfg.modifiers),
                }
                doc = inspect.getdoc(cfg.func) or ""
                if doc:
                    entry["doc"] = doc.splitlines()[0]
            entries.append(entry)
    return entries


def _actions(env) -> list[dict]:
    """Each action term: class, size, joints, scale, offset, clip and what the term states about itself."""
    action_manager = getattr(env.unwrapped, "action_manager", None)
    if action_manager is None:
        return [{"term": "actions", "dim": env.num_actions}]
    actions = []
    for name in action_manager.active_terms:
        term = action_manager.get_term(name)
        entry = {"term": name, "class": type(term).__name__, "dim": term.action_dim}
        entry["asset"] = getattr(term.cfg, "asset_name", None)
        if hasattr(term, "_joint_names"):
            offset = term._offset if isinstance(term._offset, float) else term._offset[0].tolist()
            scale = term._scale if isinstance(term._scale, float) else term._scale[0].tolist()
            entry |= {"joint_names": list(term._joint_names), "scale": scale, "offset": offset}
            clip = getattr(term, "_clip", None) if getattr(term.cfg, "clip", None) is not None else None
            entry["clip"] = jsonable(clip[0]) if clip is not None else None
        if isinstance(term, DescribesItself):
            entry["model"] = jsonable(term.deploy_metadata())
        if term.__doc__:
            entry["doc"] = term.__doc__.strip().splitlines()[0]
        actions.append(entry)
    return actions


def _self_collisions(cfg) -> bool | None:
    """Whether the articulation collides with itself as its cfg spawns it (Newton's ``self_collision_enabled``, the
    USD schema's ``enabled_self_collisions``); None where the cfg does not say."""
    props = getattr(getattr(cfg, "spawn", None), "articulation_props", None)
    props = props if isinstance(props, (list, tuple)) else [props]
    for key in ("self_collision_enabled", "enabled_self_collisions"):  # Newton's first: it is the engine trained on
        for prop in props:
            if getattr(prop, key, None) is not None:
                return bool(getattr(prop, key))
    return None


def _robot(env, asset_name: str | None) -> dict | None:
    """The robot the actions drive: an articulation's joints (names in its order, defaults, limits, gains, armature,
    effort limits, actuator groups), bodies and self-collision setting, or a rigid body's name; None without a scene
    entity."""
    scene = env.unwrapped.scene
    try:
        asset = scene[asset_name or "robot"]
    except KeyError:
        return None
    data = asset.data
    robot = {"name": asset_name or "robot", "kind": type(asset).__name__, "body_names": list(asset.body_names)}
    init = asset.cfg.init_state
    robot["init_state"] = {"pos": jsonable(init.pos), "rot_xyzw": jsonable(init.rot)}
    if not hasattr(asset, "joint_names"):
        return robot
    joints = {
        "names": list(asset.joint_names),
        "default_pos": _vector(data.default_joint_pos),
        "default_vel": _vector(data.default_joint_vel),
        "pos_limits": torch.as_tensor(data.joint_pos_limits.torch)[0].tolist(),
        "soft_pos_limits": torch.as_tensor(data.soft_joint_pos_limits.torch)[0].tolist(),
        "stiffness": _vector(data.joint_stiffness),
        "damping": _vector(data.joint_damping),
        "armature": _vector(data.joint_armature),
        "friction": _vector(data.joint_friction_coeff),
        "effort_limit": _vector(data.joint_effort_limits),
        "velocity_limit": _vector(data.joint_vel_limits),
    }
    robot["joints"] = jsonable(joints)
    robot["self_collisions"] = _self_collisions(asset.cfg)
    robot["actuators"] = {
        name: {
            "class": type(actuator).__name__,
            "implicit": bool(actuator.is_implicit_model),
            "joint_names": list(actuator.joint_names),
        }
        for name, actuator in asset.actuators.items()
    }
    return robot


def _physics(env) -> dict:
    """Time step, decimation, substeps, gravity and the physics backend's solver settings as configured."""
    unwrapped = env.unwrapped
    sim_cfg = unwrapped.cfg.sim
    physics = getattr(sim_cfg, "physics", None)
    return {
        "dt": float(unwrapped.physics_dt),
        "decimation": int(unwrapped.cfg.decimation),
        "control_dt": float(unwrapped.step_dt),
        "gravity": jsonable(sim_cfg.gravity),
        "backend": type(physics).__name__ if physics is not None else None,
        "num_substeps": jsonable(getattr(physics, "num_substeps", None)),
        "solver": jsonable(getattr(physics, "solver_cfg", None)),
    }


def _ground(env) -> dict:
    """The ground's contact material as configured (terrain importer, or a ground asset's physics material)."""
    cfg = env.unwrapped.cfg
    for name in ("terrain", "ground"):
        entity = getattr(cfg.scene, name, None)
        if entity is None:
            continue
        material = getattr(entity, "physics_material", None)
        if material is None:
            material = getattr(getattr(entity, "spawn", None), "physics_material", None)
        return {"entity": name, "material": jsonable(material)}
    return {"entity": None, "material": None}


def _manager_terms(manager, scene, extra) -> list[dict]:
    """Each active term of a reward, termination or event manager: name, function, parameters and ``extra``'s."""
    if manager is None:
        return []
    names = manager.active_terms
    if isinstance(names, dict):  # the event manager groups its terms by mode
        names = [n for mode_names in names.values() for n in mode_names]
    terms = []
    for name in names:
        cfg = manager.get_term_cfg(name)
        entry = {"name": name, "func": func_name(cfg.func), "params": jsonable(cfg.params, scene)}
        entry |= {key: jsonable(getattr(cfg, key, None)) for key in extra}
        terms.append(entry)
    return terms


def _commands(env) -> list[dict]:
    """Each command term: name, class and its configuration (ranges, resampling, heading control, ...)."""
    manager = getattr(env.unwrapped, "command_manager", None)
    if manager is None:
        return []
    commands = []
    for name in manager.active_terms:
        term = manager.get_term(name)
        entry = {"name": name, "class": type(term).__name__, "dim": int(term.command.shape[-1])}
        entry["cfg"] = jsonable(term.cfg)
        if isinstance(term, DescribesItself):
            entry["model"] = jsonable(term.deploy_metadata())
        commands.append(entry)
    return commands


def policy_metadata(policy, env) -> dict:
    """What a deployed policy needs besides its weights (see the module's doc): inputs, outputs, action mapping, rate,
    memory shapes, and (version 2) everything a second simulator needs to rebuild the observations."""
    unwrapped = env.unwrapped
    observations = _observations(env, list(policy.obs_groups))
    actions = _actions(env)
    scene = unwrapped.scene
    spec = getattr(unwrapped, "spec", None) or getattr(env, "spec", None)
    robot_asset = next((a.get("asset") for a in actions if a.get("asset")), None)
    meta = {
        "metadata_version": METADATA_VERSION,
        "task": getattr(spec, "id", None),
        "obs_groups": list(policy.obs_groups),
        "observations": observations,
        "obs_dim": int(sum(o["dim"] for o in observations)),
        "actions": actions,
        "clip_actions": jsonable(getattr(env, "clip_actions", None)),
        "control_rate_hz": 1.0 / unwrapped.step_dt,
        "physics": _physics(env),
        "robot": _robot(env, robot_asset),
        "ground": _ground(env),
        "commands": _commands(env),
        "rewards": _manager_terms(getattr(unwrapped, "reward_manager", None), scene, ("weight",)),
        "terminations": _manager_terms(getattr(unwrapped, "termination_manager", None), scene, ("time_out",)),
        "events": _manager_terms(getattr(unwrapped, "event_manager", None), scene, ("mode", "interval_range_s")),
        "episode_length_s": float(getattr(unwrapped.cfg, "episode_length_s", float("nan"))),
        "recurrent": bool(policy.is_recurrent),
    }
    sensors = getattr(scene, "sensors", {})
    meta["sensors"] = {
        name: {"class": type(s).__name__, "body_names": jsonable(list(getattr(s, "body_names", []) or []))}
        | {k: jsonable(getattr(s.cfg, k, None)) for k in ("force_threshold", "history_length", "update_period")}
        for name, s in sensors.items()
    }
    if policy.is_recurrent:
        rnn = policy.rnn.rnn
        meta["recurrent_state"] = {
            "type": type(rnn).__name__.lower(),
            "shape": [rnn.num_layers, "batch", rnn.hidden_size],
            "inputs": ["h_in", "c_in"] if isinstance(rnn, torch.nn.LSTM) else ["h_in"],
        }
    return meta
