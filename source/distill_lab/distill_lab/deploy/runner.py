"""The exported policy in MuJoCo, stepped as Isaac Lab's manager-based env steps it: observation from the state,
action through the training's actuator model for ``decimation`` physics steps, contact sensing every physics step,
terminations, reward terms (weight x value x control period), next command, next observation.

:class:`MjEnv` is one robot; :func:`run_episodes` runs several in lockstep (one batched policy call per control step)
and returns one summary per episode: tracking error or target success, termination, and every reward term's sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from distill_lab.io import DistillLabError

from .actuation import action_models
from .commands import TARGET_COMMANDS, VELOCITY_COMMANDS
from .contract import Contract
from .policy import OnnxPolicy
from .scene import MjRobot, Scene
from .terms import REWARDS, TERMINATIONS, ObservationBuilder


class ContactSensor:
    """Isaac Lab's contact sensor on some bodies: normal force per body every physics step, a history of
    ``history_length`` steps, and the air and contact times of each body."""

    def __init__(self, name: str, meta: dict, scene: Scene):
        self.name = name
        """The sensor's name in the scene."""
        self.body_names = list(meta.get("body_names") or [])
        """The bodies it senses, in its order."""
        self.bodies = np.array([scene.body_id(b) for b in self.body_names], int)
        """Their MuJoCo body ids."""
        self.history_length = max(int(meta.get("history_length") or 1), 1)
        """Physics steps of force history."""
        self.threshold = float(meta.get("force_threshold") or 0.0)
        """Normal force above which a body is in contact [N]."""
        self.dt = float(meta.get("update_period") or 0.0)
        """Update period [s] (0: every physics step)."""
        self.reset()

    def index(self, names: list[str]) -> np.ndarray:
        """Positions of ``names`` among the sensor's bodies."""
        lookup = {n: i for i, n in enumerate(self.body_names)}
        missing = [n for n in names if n not in lookup]
        if missing:
            raise DistillLabError(f"expected bodies {missing} on contact sensor '{self.name}', found {self.body_names}")
        return np.array([lookup[n] for n in names], int)

    def reset(self) -> None:
        """No force, no air or contact time."""
        n = len(self.body_names)
        self.force_history = np.zeros((self.history_length, n))
        self.current_air_time = np.zeros(n)
        self.last_air_time = np.zeros(n)
        self.current_contact_time = np.zeros(n)
        self.last_contact_time = np.zeros(n)

    def update(self, robot: MjRobot, dt: float) -> None:
        """Read the forces after a physics step of ``dt`` and advance the timers."""
        self.dt = dt
        force = robot.contact_forces(self.bodies)
        self.force_history[1:] = self.force_history[:-1]
        self.force_history[0] = force
        contact = force > self.threshold
        first_contact = (self.current_air_time > 0) & contact
        first_detached = (self.current_contact_time > 0) & ~contact
        self.last_air_time = np.where(first_contact, self.current_air_time + dt, self.last_air_time)
        self.current_air_time = np.where(contact, 0.0, self.current_air_time + dt)
        self.last_contact_time = np.where(first_detached, self.current_contact_time + dt, self.last_contact_time)
        self.current_contact_time = np.where(contact, self.current_contact_time + dt, 0.0)

    def first_contact(self, dt: float) -> np.ndarray:
        """Bodies that touched down within the last ``dt`` seconds."""
        return (self.current_contact_time > 0) & (self.current_contact_time < dt + 0.5 * self.dt)


@dataclass
class Episode:
    """One episode to run: a name, a start state and each command's values (per control step, or one fixed value)."""

    name: str
    """What it tests."""
    start_state: dict
    """Root pose and velocity, joints (see :meth:`MjRobot.set_state`)."""
    commands: dict[str, np.ndarray] = field(default_factory=dict)
    """Command name -> shape (steps, dim) per control step, or (dim,) for the whole episode."""


class MjEnv:
    """One robot in MuJoCo driven by the contract's terms (see the module's doc)."""

    def __init__(self, scene: Scene, contract: Contract):
        self.scene, self.contract = scene, contract
        self.robot = MjRobot(scene)
        """The robot's MuJoCo data and state."""
        self.control_dt = contract.control_dt
        """Control period [s]."""
        self.physics_dt = float(scene.model.opt.timestep)
        """Physics time step [s]."""
        self.models = action_models(contract, self.robot)
        self.action_model = self.models[0][2]
        """The first action term's model (the quadrotor's motor state for the privileged observations)."""
        joints = contract.joints or {}
        self.default_joint_pos = np.asarray(joints.get("default_pos", []), float)
        self.default_joint_vel = np.asarray(joints.get("default_vel", []), float)
        self.soft_joint_limits = np.asarray(joints.get("soft_pos_limits", joints.get("pos_limits", [])), float)
        self._joint_lookup = {n: i for i, n in enumerate(joints.get("names", []))}
        self.clip_actions = contract.get("clip_actions")
        self.observe = ObservationBuilder(contract)
        self.sensors = {
            name: ContactSensor(name, meta, scene) for name, meta in (contract.get("sensors") or {}).items()
        }
        self.reward_terms = [(r["name"], REWARDS[r["func"]], float(r.get("weight") or 0.0), r["params"])
                             for r in contract.get("rewards", []) if r["func"] in REWARDS]  # fmt: skip
        self.rewards_not_computed = [r["name"] for r in contract.get("rewards", []) if r["func"] not in REWARDS]
        """Reward terms whose function sim2sim does not know."""
        self.termination_terms = [(t["name"], TERMINATIONS[t["func"]], t["params"]) for t in contract["terminations"]
                                  if not t.get("time_out") and t["func"] in TERMINATIONS]  # fmt: skip
        self.terminations_not_checked = [
            t["name"] for t in contract["terminations"] if not t.get("time_out") and t["func"] not in TERMINATIONS
        ]
        """Termination terms whose function sim2sim does not know."""
        self.command_classes = {c["name"]: c["class"] for c in contract["commands"]}
        self.commands: dict[str, np.ndarray] = {}
        self.t = 0
        """Index of the current control step."""
        n = sum(int(a["dim"]) for a in contract["actions"])
        self.action, self.prev_action = np.zeros(n), np.zeros(n)
        self.applied_torque = np.zeros(len(self.default_joint_pos))
        self.joint_acc = np.zeros(len(self.default_joint_pos))
        self.terminated, self.reasons = False, []

    # -- what the terms read

    def joint_index(self, names: list[str] | None) -> np.ndarray:
        """Indices of ``names`` (all joints when None) in the contract's joint order."""
        if names is None:
            return np.arange(len(self._joint_lookup))
        try:
            return np.array([self._joint_lookup[n] for n in names], int)
        except KeyError as err:
            raise DistillLabError(f"expected joint {err} among the robot's joints {list(self._joint_lookup)}") from None

    def term_action(self, name: str) -> np.ndarray:
        """The raw action of the action term ``name``."""
        for term, part, _ in self.models:
            if term == name:
                return self.action[part].copy()
        raise DistillLabError(f"expected action term '{name}', found {[m[0] for m in self.models]}")

    def command_value(self, name: str | None) -> np.ndarray:
        """Command ``name``'s value at the current control step (the first command when None)."""
        name = name or next(iter(self.command_classes), None)
        if name not in self.commands:
            raise DistillLabError(f"expected a value for command '{name}' in the episode, found {list(self.commands)}")
        values = self.commands[name]
        return values if values.ndim == 1 else values[min(self.t, len(values) - 1)]

    def sensor(self, name: str) -> ContactSensor:
        """Contact sensor ``name``."""
        if name not in self.sensors:
            raise DistillLabError(
                f"expected contact sensor '{name}' in the policy's metadata, found {list(self.sensors)}"
            )
        return self.sensors[name]

    # -- stepping

    def reset(self, episode: Episode) -> np.ndarray:
        """Start ``episode``; return the first observation."""
        unknown = [n for n in self.command_classes if n not in episode.commands]
        if unknown:
            raise DistillLabError(f"expected the episode to give commands {unknown}, found {list(episode.commands)}")
        self.commands = {k: np.asarray(v, float) for k, v in episode.commands.items()}
        self.robot.set_state(episode.start_state)
        for _, _, model in self.models:
            model.reset()
        for sensor in self.sensors.values():
            sensor.reset()
        self.action[:] = 0.0
        self.prev_action[:] = 0.0
        self.t, self.terminated, self.reasons = 0, False, []
        return self.observe(self)

    def step(self, action: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        """One control step; return the next observation and this step's reward terms (weighted, times the control
        period, as Isaac Lab's reward manager sums them). Sets :attr:`terminated` and :attr:`reasons`."""
        import mujoco

        action = np.asarray(action, float)
        if self.clip_actions is not None:
            action = np.clip(action, -float(self.clip_actions), float(self.clip_actions))
        self.prev_action, self.action = self.action, action.copy()
        for _, part, model in self.models:
            model.process(action[part])
        dofs = self.scene.dof_adr
        for _ in range(self.scene.substeps):
            previous = self.robot.data.qvel[dofs].copy()
            for _, _, model in self.models:
                model.apply(self.physics_dt)
            mujoco.mj_step(self.robot.model, self.robot.data)
            # mj_step leaves the poses (xpos, xmat, xipos) at the state before it integrated: recompute them, as
            # Newton's forward kinematics after its step does, for the next wrench and the observation
            mujoco.mj_kinematics(self.robot.model, self.robot.data)
            for sensor in self.sensors.values():
                sensor.update(self.robot, self.physics_dt)
        if len(dofs):
            self.applied_torque = self.robot.data.qfrc_actuator[dofs].copy()
            self.joint_acc = (self.robot.data.qvel[dofs] - previous) / self.physics_dt
        self.reasons = [name for name, func, params in self.termination_terms if func(self, **params)]
        self.terminated = bool(self.reasons)
        rewards = {name: weight * float(func(self, **params)) * self.control_dt
                   for name, func, weight, params in self.reward_terms}  # fmt: skip
        self.t += 1
        return self.observe(self), rewards


def _velocity_record(env: MjEnv, name: str) -> tuple[np.ndarray, np.ndarray]:
    return env.command_value(name), np.array([*env.robot.lin_vel_b()[:2], env.robot.ang_vel_b()[2]])


def summarize(name: str, kind: str, records: dict, rewards: dict, steps: int, terminated_at: int | None,
              reasons: list[str], dt: float, success_cfg: dict | None = None) -> dict:  # fmt: skip
    """One episode's summary from its per-step records (shared by both simulators so that the numbers mean the same):
    ``fell`` and when, and for a velocity command the mean tracking errors ||cmd_xy - v_xy|| and |cmd_yaw - w_z| over
    the steps run (command of step t against the base velocity after it), for a target the final distance, speed
    and success (ran to the end, closer and slower than the task's thresholds); every reward term's sum."""
    run = steps if terminated_at is None else terminated_at
    summary = {"name": name, "steps": run, "fell": terminated_at is not None, "reasons": reasons}
    summary["fell_at_s"] = None if terminated_at is None else round(terminated_at * dt, 4)
    # states after the terminating step are left out: Isaac Lab has already reset that env when they are read
    n = run if terminated_at is None else max(run - 1, 0)
    if kind == "velocity" and n:
        command, velocity = np.asarray(records["command"][:n]), np.asarray(records["velocity"][:n])
        summary["error_vel_xy"] = float(np.mean(np.linalg.norm(command[:, :2] - velocity[:, :2], axis=1)))
        summary["error_vel_yaw"] = float(np.mean(np.abs(command[:, 2] - velocity[:, 2])))
    elif kind == "target":
        position, target = np.asarray(records["position"][:n]), np.asarray(records["target"][:n])
        speed = np.asarray(records["speed"][:n])
        distance = float(np.linalg.norm(target[-1] - position[-1])) if n else float("nan")
        summary |= {"final_distance": distance, "final_speed": float(speed[-1]) if n else float("nan")}
        cfg = success_cfg or {}
        summary["success"] = bool(
            terminated_at is None
            and distance < float(cfg.get("success_distance", 0.1))
            and summary["final_speed"] < float(cfg.get("success_speed", 0.2))
        )
    summary["return_terms"] = {k: float(v) for k, v in rewards.items()}
    summary["return"] = float(sum(rewards.values()))
    return summary


def command_kind(contract: Contract) -> tuple[str, str | None]:
    """(``velocity`` | ``target`` | ``none``, the command's name) of the contract's first command."""
    for command in contract["commands"]:
        if command["class"] in VELOCITY_COMMANDS:
            return "velocity", command["name"]
        if command["class"] in TARGET_COMMANDS:
            return "target", command["name"]
    return "none", None


STEP_QUANTITIES = ("root_pos", "root_lin_vel_w", "root_ang_vel_w", "joint_pos", "joint_vel")
"""State compared after one control step of both simulators from the same state (Isaac Lab's conventions)."""

PARITY_TOLERANCE = 1e-4
"""Largest absolute difference between a rebuilt observation term and Isaac Lab's at the same state that counts as the
same (float32 state through two simulators' kinematics)."""


def observation_parity(scene: Scene, contract: Contract, episodes: list[Episode], frozen: list[dict]) -> dict:
    """The observation builder against Isaac Lab's observation at the same instants: each frozen Newton state
    (:func:`distill_lab.evaluation.sim2sim.frozen_instant`: state, last action, hidden action-term state, command
    step) copied into MuJoCo and its observation rebuilt, term by term. Return the largest absolute difference per
    ``group/term`` over the instants, the worst term and whether all are within :data:`PARITY_TOLERANCE`; under
    ``step``, where Newton ran one more control step, the largest difference per :data:`STEP_QUANTITIES` after MuJoCo
    steps the same action from the same state, next to the largest change Newton's step made (its scale): the
    dynamics compared one step at a time, before closed-loop errors compound."""
    by_name = {e.name: e for e in episodes}
    env = MjEnv(scene, contract)
    models = {name: model for name, _, model in env.models}
    diffs: dict[str, float] = {}
    step_diffs: dict[str, float] = {}
    step_scale: dict[str, float] = {}
    for instant in frozen:
        if instant["episode"] not in by_name:
            raise DistillLabError(f"expected a frozen instant of one of the episodes, found '{instant['episode']}'")
        env.reset(by_name[instant["episode"]])
        env.robot.set_state(instant["state"])
        env.t, env.action = int(instant["t"]), np.asarray(instant["action"], float)
        for name, values in instant.get("action_state", {}).items():
            for key, value in values.items():
                getattr(models[name], key)[:] = value  # the motor lag's state (an attribute the model has)
        rebuilt = env.observe.by_term(env)
        for term, value in instant["observation"].items():
            if term not in rebuilt:
                raise DistillLabError(f"expected observation term '{term}' in the policy's metadata, found "
                                      f"{list(rebuilt)}")  # fmt: skip
            diff = float(np.max(np.abs(rebuilt[term] - np.asarray(value, float)), initial=0.0))
            diffs[term] = max(diffs.get(term, 0.0), diff)
        if "next" in instant:  # one control step of MuJoCo from Newton's state, against Newton's step
            before = env.robot.state_dict()
            env.step(np.asarray(instant["next"]["action"], float))
            after, newton = env.robot.state_dict(), instant["next"]["state"]
            for key in STEP_QUANTITIES:
                if key in newton and len(newton[key]):
                    theirs = np.asarray(newton[key], float)
                    step_diffs[key] = max(
                        step_diffs.get(key, 0.0), float(np.max(np.abs(np.asarray(after[key]) - theirs)))
                    )
                    change = float(np.max(np.abs(theirs - np.asarray(before[key]))))
                    step_scale[key] = max(step_scale.get(key, 0.0), change)
    worst = max(diffs, key=diffs.get) if diffs else None
    return {
        "instants": len(frozen),
        "at_step": int(frozen[0]["t"]) if frozen else None,
        "max_abs_diff": diffs,
        "worst_term": worst,
        "tolerance": PARITY_TOLERANCE,
        "within_tolerance": all(d <= PARITY_TOLERANCE for d in diffs.values()),
        "step": {"instants": sum("next" in f for f in frozen), "max_abs_diff": step_diffs, "newton_change": step_scale},
    }


def run_episodes(scene: Scene, contract: Contract, policy_path: str, episodes: list[Episode], steps: int,
                 recorder=None, record_index: int = 0, wind=None) -> list[dict]:  # fmt: skip
    """Run ``episodes`` in lockstep for ``steps`` control steps each (one batched policy call per step); an episode
    that terminates stops there. ``recorder`` (a :class:`~distill_lab.deploy.render.Recorder`) films episode
    ``record_index``; ``wind`` is a constant world-frame force on a quadrotor [N]. Return one :func:`summarize` dict
    per episode, with its trace (per-step command and velocity, or position and target) under ``trace``."""
    kind, name = command_kind(contract)
    envs = [MjEnv(scene, contract) for _ in episodes]
    for env in envs:
        if wind is not None:
            env.action_model.disturbance_force_w = np.asarray(wind, float)
    policy = OnnxPolicy(policy_path, batch=len(episodes))
    if policy.obs_dim != int(contract["obs_dim"]):
        raise DistillLabError(f"expected the ONNX input of size obs_dim {contract['obs_dim']}, found {policy.obs_dim}")
    obs = np.stack([env.reset(ep) for env, ep in zip(envs, episodes, strict=True)])
    records = [{"command": [], "velocity": [], "position": [], "target": [], "speed": []} for _ in episodes]
    sums = [dict.fromkeys([r[0] for r in envs[0].reward_terms], 0.0) for _ in episodes]
    ended: list[int | None] = [None] * len(episodes)
    for t in range(steps):
        actions = policy(obs)
        for i, env in enumerate(envs):
            if ended[i] is not None:
                continue
            command = env.command_value(name) if name else None
            obs[i], rewards = env.step(actions[i])
            for key, value in rewards.items():
                sums[i][key] += value
            if kind == "velocity":
                records[i]["command"].append(command)
                records[i]["velocity"].append(_velocity_record(env, name)[1])
            elif kind == "target":
                records[i]["position"].append(env.robot.root_pos())
                records[i]["target"].append(command)
                records[i]["speed"].append(float(np.linalg.norm(env.robot.lin_vel_w())))
            if env.terminated:
                ended[i] = t + 1
            if recorder is not None and i == record_index:
                recorder.capture(env, t)
    success_cfg = next((c.get("cfg") for c in contract["commands"] if c["name"] == name), None)
    results = []
    for i, (episode, env) in enumerate(zip(episodes, envs, strict=True)):
        summary = summarize(episode.name, kind, records[i], sums[i], steps, ended[i], env.reasons, env.control_dt,
                            success_cfg)  # fmt: skip
        summary["trace"] = {k: np.asarray(v).round(4).tolist() for k, v in records[i].items() if v}
        results.append(summary)
    return results
