"""Which checkpoint a command starts from, and in which role: the one place every command resolves it.

``train.py`` distills from a teacher, fine-tunes a student or continues a run; ``collect.py`` records a teacher;
``play.py`` and ``evaluate.py`` play a checkpoint. They name it as Isaac Lab users do: ``--checkpoint PATH``, or
``--load_run <run> --checkpoint model_N.pt`` (regexes, default the newest run and its last checkpoint), ``--checkpoint
latest|best``, or ``--teacher_checkpoint PATH|pretrained``. A run is looked for in the agent's own experiment, then in
the experiment it starts from (the teacher's, or the student's for fine-tuning). What the checkpoint holds
(:func:`distill_lab.io.checkpoint_kind`) then decides its role: a checkpoint of the kind the run writes is a run to
continue; a PPO checkpoint is a teacher; a distilled student starts a fine-tuning run.

The result is a :class:`Start`: it fits the configs to what the run starts from (:meth:`Start.configure`) and, once the
runner is built, loads it (:meth:`Start.load_into`): the teachers through the algorithm's ``load_teachers``, a run to
continue or play through the runner's ``load``. The command line decides *where* a run starts; the algorithm decides
*how* its teachers are loaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import yaml

from distill_lab.distillation.interface import interface
from distill_lab.io import (
    CHECKPOINT_KINDS,
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
)
from distill_lab.runners import RunKind
from distill_lab.tasks.base import assign_teachers

SELECTORS = ("latest", "best")
"""``--checkpoint`` values that pick a checkpoint of the newest run by its manifest (as Isaac Lab's CLI does)."""


@dataclass
class Start:
    """A checkpoint (its absolute ``path`` and its content) and its ``role`` in a command: ``resume`` (continue the
    run), ``teacher`` (distill from it), ``student`` (fine-tune it) or ``play`` (play or evaluate it)."""

    path: str
    role: str
    checkpoint: dict
    kind: RunKind
    """The kind of run the agent cfg describes."""
    agent: str
    """The agent entry point of the command."""
    teachers: list[dict] = field(default_factory=list)
    """The teachers (:func:`distill_lab.io.teacher_spec`): those a run distills from (role ``teacher``; the first is
    ``path``), or those a multi-teacher student was trained with."""

    def configure(self, env_cfg, agent_cfg, overrides=(), teacher_conditions: bool = True) -> None:
        """Fit the configs to the start before the env and the runner are built: a multi-teacher run's assignment of
        teachers to envs (each env flies its teacher's conditions, unless ``teacher_conditions`` is False: then only
        the labels follow the assignment) and their number; the teacher model a checkpoint's policy needs; the models
        a run to continue or play was trained with. An ``env.*`` override of a parameter a teacher's conditions pin
        is refused: the teacher's value would replace it."""
        if self.kind.many_teachers and self.teachers:
            conditions = [t["conditions"] if teacher_conditions else {} for t in self.teachers]
            pinned = {}
            for teacher, pins in zip(self.teachers, conditions, strict=True):
                pinned |= {f"env.events.{term}.params.{p}": teacher["name"] for term, ps in pins.items() for p in ps}
            for override in overrides:
                key = override.split("=", 1)[0].lstrip("+~")
                hit = next((k for k in pinned if key == k or key.startswith(k + ".")), None)
                if hit:
                    raise DistillLabError(
                        f"{override} is replaced by teacher {pinned[hit]}'s conditions in its envs; remove it, or "
                        "evaluate with the task's own randomization (evaluate.py without --teacher_conditions)."
                    )
            assign_teachers(env_cfg, conditions, [float(t["weight"]) for t in self.teachers])
            agent_cfg.algorithm.num_teachers = len(self.teachers)
        if self.role == "teacher" and not self.kind.many_teachers:
            policy_as_teacher(agent_cfg, self.path)
        elif self.role in ("resume", "play"):
            trained_models(agent_cfg, self.path, self.agent, overrides)

    def load_into(self, runner) -> bool:
        """Load the start into the built runner; return whether a continued run resumes its episodes exactly."""
        if self.role == "teacher":
            interface(runner.alg).load_teachers(self.teachers)
            print(f"[INFO] Loaded {len(self.teachers)} teacher(s): {', '.join(t['name'] for t in self.teachers)}")
        else:
            what = f"{self.role} checkpoint {self.path}"
            what += " (continued as this agent's run)" if self.role == "resume" else ""
            policy = self.checkpoint.get("student_state_dict") or self.checkpoint["actor_state_dict"]
            check_state_dict(runner.alg.get_policy(), policy, what)
            runner.load(self.path, map_location=runner.device)
            print(f"[INFO] Loaded the {self.role} from {self.path}")
        if self.role == "play":
            return False
        exact = self.role == "resume" and runner.load_resume_state(self.path)
        runner.start = {"checkpoint": self.path, "role": self.role, "exact_resume": exact}
        return exact


def teacher_agent(agent_cfg) -> str:
    """The entry point of the PPO teacher an agent distills from: its cfg's ``teacher_agent`` (the latent student's
    is the latent teacher), else ``rsl_rl_cfg_entry_point``."""
    return getattr(agent_cfg, "teacher_agent", None) or "rsl_rl_cfg_entry_point"  # an optional field of a foreign cfg


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


def trained_teachers(kind: RunKind, path: str, checkpoint: dict) -> list[dict]:
    """The teachers a multi-teacher student was trained with (its checkpoint names them); none for other kinds."""
    if not kind.many_teachers:
        return []
    return checkpoint.get("distill_state", {}).get("teachers") or [teacher_spec(path)]


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
            return Start(path, "resume", ckpt, kind, args.agent, trained_teachers(kind, path, ckpt))
        if args.teacher_checkpoint:
            raise DistillLabError(f"--teacher_checkpoint and the run flags both name a teacher ({path}); give one.")
        if kind.starts_from == "teacher":
            return Start(path, "teacher", ckpt, kind, args.agent, [teacher_spec(path)])
        if kind.starts_from == "student" and held == "distillation":
            return Start(path, "student", ckpt, kind, args.agent)
        raise DistillLabError(
            f"{path} holds {CHECKPOINT_KINDS[held]}; a {kind.name} run continues from {CHECKPOINT_KINDS[kind.writes]}."
        )
    if args.teacher_checkpoint:
        if kind.starts_from != "teacher":
            raise DistillLabError(
                f"--teacher_checkpoint is for runs that distill from a teacher; --agent {args.agent} trains a "
                f"{kind.name} run. Give --checkpoint / --load_run instead."
            )
        if kind.many_teachers:
            from distill_lab.pretrained import pretrained_teachers

            specs = read_teachers(
                [pretrained_teachers(task) if v == "pretrained" else os.path.abspath(v) for v in args.teachers]
            )
        elif len(args.teachers) > 1 or args.teacher_checkpoint.endswith(".json"):
            raise DistillLabError(
                f"--agent {args.agent} distills from one teacher, and --teacher_checkpoint names "
                f"{' '.join(args.teachers)}; several teachers (or a teachers manifest) are for "
                "--agent rsl_rl_multi_teacher_cfg_entry_point."
            )
        else:
            specs = [teacher_spec(teacher_path(args.teacher_checkpoint, task, teacher_agent(agent_cfg)))]
        path = specs[0]["checkpoint"]
        return Start(path, "teacher", load_checkpoint(path), kind, args.agent, specs)
    if kind.starts_from and kind.start_required:
        what = {"teacher": "a teacher", "student": "a distilled student"}[kind.starts_from]
        where = "--teacher_checkpoint PATH|pretrained, or " if kind.starts_from == "teacher" else ""
        raise DistillLabError(
            f"a {kind.name} run starts from {what}. Give {where}--resume --load_run <run> --checkpoint model_N.pt "
            f"(looked for in {', '.join(experiment_root(e) for e in experiments(task, agent_cfg, kind))})."
        )
    return None


def to_play(args, task: str, agent_cfg, kind: RunKind, path: str | None = None) -> Start:
    """The checkpoint ``play.py`` / ``evaluate.py`` play: ``path``, ``--checkpoint`` / ``--load_run``, else the newest
    run of the agent's experiment; it must hold the policy the agent trains."""
    if path is not None:
        path = os.path.abspath(path)
    elif args.checkpoint == "pretrained" and kind.name != "teacher":  # the student shipped for this agent
        from distill_lab.pretrained import pretrained_teacher

        path = pretrained_teacher(task, args.agent, role="student")
    elif args.checkpoint == "pretrained" or args.teacher_checkpoint:
        agent = args.agent if kind.name == "teacher" else teacher_agent(agent_cfg)
        path = teacher_path(args.teacher_checkpoint or "pretrained", task, agent)
    else:
        path = find(agent_cfg, [agent_cfg.experiment_name])
    ckpt = load_checkpoint(path)
    held = checkpoint_kind(ckpt, path)
    if held != kind.writes:
        raise DistillLabError(
            f"{path} holds {CHECKPOINT_KINDS[held]}, and --agent {args.agent} plays {CHECKPOINT_KINDS[kind.writes]}; "
            "give the agent entry point the checkpoint was trained with (its run folder's run.json names it)."
        )
    return Start(path, "play", ckpt, kind, args.agent, trained_teachers(kind, path, ckpt))


def _saved_agent(path: str) -> dict | None:
    """The agent cfg the checkpoint's run was trained with (its ``params/agent.yaml``), if there is one."""
    params = os.path.join(os.path.dirname(path), "params", "agent.yaml")
    if not os.path.isfile(params):
        return None
    with open(params) as f:
        return yaml.load(f, Loader=yaml.FullLoader)


def _model(model: dict):
    """The model cfg a run saved (``params/agent.yaml``), as the cfg class of its ``class_name``: Isaac Lab's MLP
    model cfg or any subclass of it (RNN, latent, a user's)."""
    from isaaclab_rl.rsl_rl import RslRlMLPModelCfg

    def subclasses(cls: type) -> list[type]:
        return [cls] + [s for sub in cls.__subclasses__() for s in subclasses(sub)]

    classes = {c().class_name: c for c in subclasses(RslRlMLPModelCfg)}
    if model["class_name"] not in classes:
        raise DistillLabError(f"a saved model of class '{model['class_name']}'; distill_lab knows {sorted(classes)}")
    return classes[model["class_name"]](**model)


def policy_as_teacher(agent_cfg, path: str) -> None:
    """The teacher model of a run that distills from ``path``: the policy that checkpoint trained (a PPO actor, or a
    distilled or fine-tuned student, recurrent ones included: progressive distillation), with the model cfg and obs
    groups its run saved. A shipped teacher has no run folder; the agent's teacher cfg, which fits it, stays."""
    saved = _saved_agent(path)
    if saved is None or "teacher" not in agent_cfg.obs_groups:
        return
    policy_set = "student" if "student" in saved else "actor"
    groups = list(saved["obs_groups"].get(policy_set, ["policy"]))
    if groups != list(agent_cfg.obs_groups.get("teacher", [])):  # a student (a PPO teacher keeps the agent's cfg)
        agent_cfg.teacher = _model(saved[policy_set])
        agent_cfg.obs_groups["teacher"] = groups


def trained_models(agent_cfg, path: str, agent: str, overrides=()) -> None:
    """A checkpoint that ``agent`` trained plays and continues with the models it was trained with (its run's
    ``params/agent.yaml``: the student's size, a student teacher...), whatever the agent cfg's defaults. An
    ``agent.<model>.*`` override that differs from what the model was trained with is refused: its weights could not
    take it."""
    run = os.path.join(os.path.dirname(path), "run.json")
    if not os.path.isfile(run) or read_json(run).get("metadata", {}).get("agent") != agent:
        return
    saved = _saved_agent(path)
    for override in overrides:
        key = override.split("=", 1)[0].lstrip("+~").split(".")
        if saved is None or len(key) < 3 or key[0] != "agent" or not isinstance(saved.get(key[1]), dict):
            continue
        trained, given = saved, agent_cfg
        for k in key[1:]:
            trained = trained.get(k) if isinstance(trained, dict) else None
            given = given.get(k) if isinstance(given, dict) else getattr(given, k, None)
        if (list(given) if isinstance(given, tuple) else given) != trained:
            raise DistillLabError(
                f"{override}: the checkpoint's {key[1]} was trained with {'.'.join(key[2:])}={trained}, and a played "
                "or continued run keeps the models it was trained with; remove the override, or train a new run."
            )
    for name in ("actor", "critic", "student", "teacher"):
        if saved is not None and name in saved and getattr(agent_cfg, name, None) is not None:
            setattr(agent_cfg, name, _model(saved[name]))
            if name in saved.get("obs_groups", {}):
                agent_cfg.obs_groups[name] = list(saved["obs_groups"][name])
