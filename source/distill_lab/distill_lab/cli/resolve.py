"""Which checkpoint a command starts from, and in which role: the one place every command resolves it.

``train.py`` distills from a teacher, fine-tunes a student or continues a run; ``collect.py`` records a teacher;
``play.py`` and ``evaluate.py`` play a checkpoint. They name it as Isaac Lab users do: ``--checkpoint PATH``, or
``--load_run <run> --checkpoint model_N.pt`` (regexes, default the newest run and its last checkpoint), ``--checkpoint
latest|best``, or ``--teacher_checkpoint PATH|pretrained``. A run is looked for in the agent's own experiment, then in
the experiment it starts from (the teacher's, or the student's for fine-tuning). What the checkpoint holds
(:func:`distill_lab.io.checkpoint_kind`) then decides its role: a checkpoint of the kind the run writes is a run to
continue; a PPO checkpoint is a teacher; a distilled student starts a fine-tuning run.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import yaml

from distill_lab.io import (
    KINDS,
    DistillLabError,
    check_state_dict,
    checkpoint_kind,
    experiment_root,
    find_checkpoint,
    latest_checkpoint,
    load_checkpoint,
    read_json,
    read_manifest,
    read_teachers,
    teacher_spec,
    teacher_state_dict,
)
from distill_lab.runners import RunKind

SELECTORS = ("latest", "best")
"""``--checkpoint`` values that pick a checkpoint of the newest run by its manifest (as Isaac Lab's CLI does)."""


class Start(NamedTuple):
    """A checkpoint (its absolute ``path`` and its content) and its ``role`` in a run: ``resume`` (continue the run),
    ``teacher`` (distill from it) or ``student`` (fine-tune it)."""

    path: str
    role: str
    checkpoint: dict
    teachers: list[dict] | None = None
    """A multi-teacher run's teachers (:func:`distill_lab.io.read_teachers` specs); the first is ``path``."""


def teacher_agent(agent_cfg) -> str:
    """The entry point of the PPO teacher an agent distills from: its cfg's ``teacher_agent`` (the latent student's
    is the latent teacher), else ``rsl_rl_cfg_entry_point``."""
    return getattr(agent_cfg, "teacher_agent", None) or "rsl_rl_cfg_entry_point"


def teacher_path(value: str, task: str, agent: str = "rsl_rl_cfg_entry_point") -> str:
    """``--teacher_checkpoint``: a path, or ``pretrained`` for the task's shipped teacher of entry point ``agent``."""
    if value == "pretrained":
        from distill_lab.pretrained import pretrained_teacher

        return pretrained_teacher(task, agent)
    return os.path.abspath(value)


def experiments(task: str, agent_cfg, kind: RunKind) -> list[str]:
    """Where runs are looked for: the agent's experiment, then the one the run starts from."""
    found = [agent_cfg.experiment_name]
    if kind.starts_from == "teacher":
        from isaaclab_tasks.utils import load_cfg_from_registry

        found.append(load_cfg_from_registry(task, teacher_agent(agent_cfg)).experiment_name)
    elif kind.starts_from == "student":
        found.append(agent_cfg.student_experiment_name)
    return found


def find(agent_cfg, search: list[str]) -> str:
    """The checkpoint ``agent.load_run`` / ``agent.load_checkpoint`` name (a path, regexes, or latest / best)."""
    name = agent_cfg.load_checkpoint
    if name and (os.path.isfile(name) or os.sep in name):
        return os.path.abspath(name)
    if name in SELECTORS:
        run = os.path.dirname(find_checkpoint(search, agent_cfg.load_run, r"model_.*\.pt"))
        entry = read_manifest(run)[name]
        return os.path.join(run, entry["checkpoint"]) if entry else latest_checkpoint(run)
    return find_checkpoint(search, agent_cfg.load_run, name or r"model_.*\.pt")


def start_of_run(args, task: str, agent_cfg, kind: RunKind) -> Start | None:
    """What ``train.py`` starts from; None for a fresh run that needs nothing. A run named by ``--resume`` /
    ``--load_run`` / ``--checkpoint`` that this agent wrote is continued (its checkpoint holds its teacher)."""
    if agent_cfg.resume or args.load_run or args.checkpoint:
        path = find(agent_cfg, experiments(task, agent_cfg, kind))
        ckpt = load_checkpoint(path)
        held = checkpoint_kind(ckpt, path)
        if held == kind.writes:
            if args.teacher_checkpoint:
                print(f"[INFO] --teacher_checkpoint is not used: continuing {path}, which holds its teacher.")
            return Start(path, "resume", ckpt)
        if args.teacher_checkpoint:
            raise DistillLabError(f"--teacher_checkpoint and the run flags both name a teacher ({path}); give one.")
        if kind.starts_from == "teacher":
            return Start(path, "teacher", ckpt)
        if kind.starts_from == "student" and held == "distillation":
            return Start(path, "student", ckpt)
        raise DistillLabError(f"{path} holds {KINDS[held]}; a {kind.name} run continues from {KINDS[kind.writes]}.")
    if args.teacher_checkpoint:
        if kind.starts_from != "teacher":
            raise DistillLabError(
                f"--teacher_checkpoint is for runs that distill from a teacher; --agent {args.agent} trains a "
                f"{kind.name} run. Give --checkpoint / --load_run instead."
            )
        if kind.name == "multi_teacher":
            from distill_lab.pretrained import pretrained_teachers

            specs = read_teachers([os.path.abspath(pretrained_teachers(task) if v == "pretrained" else v)
                                   for v in args.teachers])  # fmt: skip
            return Start(specs[0]["checkpoint"], "teacher", load_checkpoint(specs[0]["checkpoint"]), specs)
        if len(args.teachers) > 1 or args.teacher_checkpoint.endswith(".json"):
            raise DistillLabError(
                f"--agent {args.agent} distills from one teacher, and --teacher_checkpoint names "
                f"{' '.join(args.teachers)}; several teachers (or a teachers manifest) are for "
                "--agent rsl_rl_multi_teacher_cfg_entry_point."
            )
        path = teacher_path(args.teacher_checkpoint, task, teacher_agent(agent_cfg))
        return Start(path, "teacher", load_checkpoint(path))
    if kind.starts_from and kind.start_required:
        what = {"teacher": "a teacher", "student": "a distilled student"}[kind.starts_from]
        where = "--teacher_checkpoint PATH|pretrained, or " if kind.starts_from == "teacher" else ""
        raise DistillLabError(
            f"a {kind.name} run starts from {what}. Give {where}--resume --load_run <run> --checkpoint model_N.pt "
            f"(looked for in {', '.join(experiment_root(e) for e in experiments(task, agent_cfg, kind))})."
        )
    return None


def checkpoint_to_play(args, task: str, agent_cfg, kind: RunKind) -> tuple[str, dict]:
    """The checkpoint ``play.py`` / ``evaluate.py`` play: ``--checkpoint`` / ``--load_run``, else the newest run of
    the agent's experiment; it must hold the policy the agent trains."""
    if args.checkpoint == "pretrained" or args.teacher_checkpoint:
        agent = args.agent if kind.name == "teacher" else teacher_agent(agent_cfg)
        path = teacher_path(args.teacher_checkpoint or "pretrained", task, agent)
    else:
        path = find(agent_cfg, [agent_cfg.experiment_name])
    return path, check_playable(path, args.agent, kind)


def check_playable(path: str, agent: str, kind: RunKind) -> dict:
    """Load a checkpoint to play with ``agent``; a clear error when it holds another kind of policy."""
    ckpt = load_checkpoint(path)
    held = checkpoint_kind(ckpt, path)
    if held != kind.writes:
        raise DistillLabError(
            f"{path} holds {KINDS[held]}, and --agent {agent} plays {KINDS[kind.writes]}; give the agent entry "
            "point the checkpoint was trained with (its run folder's run.json names it)."
        )
    return ckpt


def teachers_of(kind: RunKind, start: Start | None, checkpoint: dict | None = None) -> list[dict] | None:
    """A multi-teacher run's teachers: those it starts from, or those its (student) checkpoint was trained with."""
    if kind.name != "multi_teacher" or (start is None and checkpoint is None):
        return None
    if start is not None and start.role == "teacher":
        return start.teachers or [teacher_spec(start.path)]
    held = (checkpoint or start.checkpoint).get("distill_state", {}).get("teachers")
    return held or [teacher_spec(start.path if start else "teacher")]


def use_teachers(env_cfg, agent_cfg, teachers: list[dict] | None) -> None:
    """Give the env the teachers' assignment (their conditions, their weights) and the algorithm their number."""
    if teachers:
        from distill_lab.tasks.base import use_teachers as assign

        assign(env_cfg, [t["conditions"] for t in teachers], [float(t["weight"]) for t in teachers])
        agent_cfg.algorithm.num_teachers = len(teachers)


def _saved_agent(path: str) -> dict | None:
    """The agent cfg the checkpoint's run was trained with (its ``params/agent.yaml``), if there is one."""
    params = os.path.join(os.path.dirname(path), "params", "agent.yaml")
    if not os.path.isfile(params):
        return None
    with open(params) as f:
        return yaml.load(f, Loader=yaml.FullLoader)


def _model(model: dict):
    """The model cfg a run saved (``params/agent.yaml``), as its cfg class."""
    from isaaclab_rl.rsl_rl import RslRlMLPModelCfg, RslRlRNNModelCfg

    from distill_lab.distillation import LatentMLPModelCfg, LatentRNNModelCfg

    classes = {c().class_name: c for c in (RslRlMLPModelCfg, RslRlRNNModelCfg, LatentMLPModelCfg, LatentRNNModelCfg)}
    if model["class_name"] not in classes:
        raise DistillLabError(f"a saved model of class '{model['class_name']}'; distill_lab knows {sorted(classes)}")
    return classes[model["class_name"]](**model)


def policy_as_teacher(agent_cfg, path: str) -> None:
    """The teacher model of a run that distills from ``path``: the policy that checkpoint trained (a PPO actor, or a
    distilled or fine-tuned student, recurrent ones included: progressive distillation), with the model cfg and obs
    groups its run saved. A shipped teacher has no run folder; the agent's teacher cfg, which fits it, stays."""
    saved = _saved_agent(path)
    if saved is None or not hasattr(agent_cfg, "teacher"):
        return
    policy_set = "student" if "student" in saved else "actor"
    groups = list(saved["obs_groups"].get(policy_set, ["policy"]))
    if groups != list(agent_cfg.obs_groups.get("teacher", [])):  # a student (a PPO teacher keeps the agent's cfg)
        agent_cfg.teacher = _model(saved[policy_set])
        agent_cfg.obs_groups["teacher"] = groups


def trained_models(agent_cfg, path: str, agent: str) -> None:
    """A checkpoint that ``agent`` trained plays and continues with the models it was trained with (its run's
    ``params/agent.yaml``: the student's size, a student teacher...), whatever the agent cfg's defaults."""
    run = os.path.join(os.path.dirname(path), "run.json")
    if not os.path.isfile(run) or read_json(run).get("metadata", {}).get("agent") != agent:
        return
    saved = _saved_agent(path)
    for name in ("actor", "critic", "student", "teacher"):
        if saved is not None and name in saved and getattr(agent_cfg, name, None) is not None:
            setattr(agent_cfg, name, _model(saved[name]))
            if name in saved.get("obs_groups", {}):
                agent_cfg.obs_groups[name] = list(saved["obs_groups"][name])


def load_start(runner, start: Start, device: str) -> None:
    """Load ``start`` into ``runner`` by its role, after checking the weights fit the model cfg."""
    what = f"{start.role} checkpoint {start.path}"
    if start.role == "teacher" and hasattr(runner.alg, "load_teachers"):
        specs = start.teachers or [teacher_spec(start.path)]
        states = []
        for i, (spec, teacher) in enumerate(zip(specs, runner.alg.teachers, strict=True)):
            path = spec["checkpoint"]
            state = teacher_state_dict(start.checkpoint if i == 0 else load_checkpoint(path), path)
            check_state_dict(teacher, state, f"teacher {i} ({spec['name']}) checkpoint {path}")
            states.append(state)
        runner.alg.load_teachers(states, specs)
        print(f"[INFO] Loaded {len(specs)} teacher(s): {', '.join(s['name'] for s in specs)}")
        return
    if start.role == "teacher":  # the policy the checkpoint trained (a PPO actor, or a student: progressive)
        state = teacher_state_dict(start.checkpoint, start.path)
        teacher = getattr(runner.alg, "_raw_teacher", runner.alg.teacher)
        check_state_dict(teacher, state, what)
        teacher.load_state_dict(state)
        runner.alg.teacher_loaded = True
    elif start.role == "student":
        check_state_dict(runner.alg.get_policy(), start.checkpoint["student_state_dict"], what)
        runner.load(start.path, map_location=device)
    else:
        policy = start.checkpoint.get("student_state_dict") or start.checkpoint["actor_state_dict"]
        check_state_dict(runner.alg.get_policy(), policy, f"{what} (continued as this agent's run)")
        runner.load(start.path, map_location=device)
    print(f"[INFO] Loaded the {start.role} from {start.path}")
