"""Teacher factory: train K specialist teachers, each on one sampled set of conditions (a vehicle), evaluate each on its
own conditions, and write the teachers manifest a multi-teacher student distills from.

    train_teachers.py --task Quadcopter-Point-Ctrl --num_teachers 8 [--seed 0] [--max_iterations 300] [--num_envs 512]
    train_teachers.py --task blind_rl --conditions experts.json     # explicit conditions, one teacher each
    train_teachers.py ... env.scene.num_envs=256 agent.algorithm.learning_rate=3e-4   # Hydra overrides for every one
    train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_multi_teacher_cfg_entry_point \\
        --teacher_checkpoint logs/teachers/Quadcopter-Point-Ctrl/<name>/teachers.json

A specialist's conditions pin the parameters the task's ``env.specialist`` names (the quadcopter's vehicle: mass,
inertia, thrust-to-weight, motor lag, torque coefficient) to values drawn uniformly from the task's ranges with
``--seed``; ``--conditions`` (a JSON list of ``{event term: {parameter: value or [low, high]}}``) gives them instead.
``--init pretrained`` starts each from the task's generalist teacher (PPO continues on the one vehicle), not scratch.
Each teacher is ``train.py`` with its conditions as Hydra overrides; the teachers run one after another here (one
process per core or GPU elsewhere: ``--only k``). ``logs/teachers/<task>/<name>/teachers.json`` is rewritten after
every teacher, so a rerun with the same ``--name`` skips the finished ones. ``--ship`` copies the teachers' weights
(actor only) and the manifest into the package (``pretrained/<experiment>/specialists/``).
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Sequence

import numpy as np
import torch

from distill_lab.io import DistillLabError, latest_checkpoint, read_json, teacher_spec, write_teachers
from distill_lab.pretrained import pretrained_teacher

from . import evaluate, train

PARSER = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
)
PARSER.add_argument("--task", required=True, help="Gym ID of the task.")
PARSER.add_argument("--num_teachers", type=int, default=8, help="Specialists to sample (K).")
PARSER.add_argument("--conditions", default=None, help="JSON list of each teacher's conditions (instead of sampling).")
PARSER.add_argument("--seed", type=int, default=0, help="Seed of the conditions' draw; teacher k trains with seed+k.")
PARSER.add_argument(
    "--init",
    default=None,
    help="Start each teacher from this PPO checkpoint ('pretrained': the "
    "task's generalist) and specialize it, instead of training from scratch.",
)
PARSER.add_argument("--max_iterations", type=int, default=None, help="PPO iterations per teacher.")
PARSER.add_argument("--num_envs", type=int, default=None, help="Envs per teacher's training.")
PARSER.add_argument("--eval_envs", type=int, default=64, help="Envs of each teacher's evaluation on its conditions.")
PARSER.add_argument("--name", default="default", help="Folder under logs/teachers/<task>/; reuse it to resume.")
PARSER.add_argument("--only", type=int, nargs="+", default=None, help="Train only these teachers (indices).")
PARSER.add_argument("--ship", action="store_true", help="Copy the finished teachers into the package.")


def sample_conditions(task: str, num_teachers: int, seed: int) -> list[dict]:
    """``num_teachers`` conditions: the task's ``specialist`` parameters drawn uniformly from their ranges."""
    from isaaclab_tasks.utils import load_cfg_from_registry

    env_cfg = load_cfg_from_registry(task, "env_cfg_entry_point")
    spec = getattr(env_cfg, "specialist", None)
    if spec is None or not spec.params:
        raise DistillLabError(f"task '{task}' declares no specialist parameters (env.specialist); give --conditions.")
    ranges = getattr(env_cfg.events, spec.event).params
    rng = np.random.default_rng(seed)
    return [
        {spec.event: {p: round(float(rng.uniform(*ranges[p])), 4) for p in spec.params}} for _ in range(num_teachers)
    ]


def overrides(conditions: dict) -> list[str]:
    """Hydra overrides that pin ``conditions`` for a whole run."""
    pinned = []
    for term, params in conditions.items():
        for p, v in params.items():
            low, high = (v, v) if isinstance(v, int | float) else v
            pinned.append(f"env.events.{term}.params.{p}=[{low},{high}]")
    return pinned


def main(argv: Sequence[str] | None = None) -> str:
    """Train (or resume) the factory's teachers; return the manifest's path."""
    args, rest = PARSER.parse_known_args(argv)
    if any(not o.startswith(("env.", "agent.")) or "=" not in o for o in rest):
        raise DistillLabError(f"unexpected arguments {rest}: only env.* and agent.* Hydra overrides follow the flags.")
    args.overrides = rest
    folder = os.path.abspath(os.path.join("logs", "teachers", args.task, args.name))
    manifest = os.path.join(folder, "teachers.json")
    old = read_json(manifest) if os.path.exists(manifest) else {}
    if args.conditions:
        conditions = read_json(args.conditions)
    else:
        conditions = old.get("conditions") or sample_conditions(args.task, args.num_teachers, args.seed)
    # finished teachers, their checkpoints made absolute again (the manifest keeps them relative to its folder)
    done = {t["name"]: {**t, "checkpoint": os.path.join(folder, t["checkpoint"])} for t in old.get("teachers", [])}
    for k, cond in enumerate(conditions):
        name = f"teacher_{k}"
        if name in done or (args.only is not None and k not in args.only):
            continue
        flags = ["--task", args.task, "--seed", str(args.seed + k), "--run_name", f"specialist_{args.name}_{k}"]
        flags += ["--num_envs", str(args.num_envs)] if args.num_envs else []
        flags += ["--max_iterations", str(args.max_iterations)] if args.max_iterations else []
        if args.init:
            flags += ["--checkpoint", pretrained_teacher(args.task) if args.init == "pretrained" else args.init]
        print(f"[INFO] Teacher {k + 1}/{len(conditions)}: {cond}", flush=True)
        run = train.main([*flags, *args.overrides, *overrides(cond)])
        checkpoint = latest_checkpoint(run)
        result = evaluate.main(
            [
                "--task",
                args.task,
                "--checkpoints",
                checkpoint,
                "--num_envs",
                str(args.eval_envs),
                "--seed",
                "1",
                "--no_profile",
                *[o for o in args.overrides if o.startswith("env.")],
                *overrides(cond),
            ]
        )[0]
        metrics = {k: v for k, v in result.items() if isinstance(v, int | float)}
        done[name] = {**teacher_spec(checkpoint, name, cond), "run": run, "evaluation_on_own_conditions": metrics}
        teachers = [done[f"teacher_{i}"] for i in range(len(conditions)) if f"teacher_{i}" in done]
        write_teachers(manifest, args.task, teachers, conditions=conditions, command=_command(args))
    if args.ship:
        ship(args.task, manifest)
    print(f"[INFO] Teachers manifest: {manifest} ({len(done)}/{len(conditions)} teachers)")
    return manifest


def ship(task: str, manifest: str) -> str:
    """Copy the teachers (actor weights only) and the manifest into ``pretrained/<experiment>/specialists``."""
    from distill_lab.io import read_teachers

    folder = os.path.join(os.path.dirname(pretrained_teacher(task)), "specialists")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    specs, entries = read_teachers([manifest]), read_json(manifest)
    for spec, entry in zip(specs, entries["teachers"], strict=True):
        ckpt = torch.load(spec["checkpoint"], map_location="cpu", weights_only=True)
        target = os.path.join(folder, f"{spec['name']}.pt")
        torch.save({"actor_state_dict": ckpt["actor_state_dict"], "iter": ckpt["iter"]}, target)
        entry.update(spec, checkpoint=target, source_checkpoint=os.path.relpath(spec["checkpoint"]))
        if "run" in entry:
            entry["run"] = os.path.relpath(entry["run"])
    extra = {k: v for k, v in entries.items() if k not in ("task", "teachers")}
    extra["shipped"] = f"{len(specs)} of the {len(entries.get('conditions', specs))} teachers the command plans"
    write_teachers(os.path.join(folder, "teachers.json"), task, entries["teachers"], **extra)
    return folder


def _command(args: argparse.Namespace) -> str:
    flags = [f"--task {args.task}", f"--name {args.name}"]
    flags += [f"--conditions {args.conditions}"] if args.conditions else [f"--num_teachers {args.num_teachers}"]
    flags += [f"--seed {args.seed}"] + ([f"--init {args.init}"] if args.init else [])
    flags += [f"--{k} {getattr(args, k)}" for k in ("max_iterations", "num_envs") if getattr(args, k)]
    return "python scripts/train_teachers.py " + " ".join([*flags, *args.overrides])
