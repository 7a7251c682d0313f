"""Evaluate checkpoints of one agent on identical seeds and initial states; print and save JSON metrics.

    evaluate.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point \\
        --checkpoints logs/.../model_50.pt logs/.../model_100.pt --num_envs 256 --output results.json
Each checkpoint is played deterministically for --num_steps (default one episode) after the env is reset with --seed,
on 256 envs unless --num_envs or env.scene.num_envs say otherwise. A student is compared with the teacher stored in
its checkpoint along the student's own trajectory (action error). Each result also holds env 0's tracking trace
(position vs. target, or velocity vs. command) and, unless --no_profile, the exported policy's parameter count, ONNX
size and CPU latency per step at batch 1 and 1024. --sweep evaluates again with the task's robustness parameter
(``env.robustness_sweep``: quadcopter mass, foot friction) pinned to each of its values, including values outside the
training range. --conditions <teachers.json> flies every env on one of the manifest's teachers' conditions (e.g. the
specialists' vehicles), whatever the agent; a multi-teacher student is compared with each env's own teacher, on the
task's own randomization unless --teacher_conditions flies its teachers' conditions.
The play settings apply (Isaac Lab's play mode: no pushes), except that each policy reads its obs groups with the
noise it trained with, as it will on the robot (--no_noise: without); each result records which. A user's env.*
override wins over the play settings (an override of a term they remove brings the term back).
"""

from __future__ import annotations

import json
import os

from distill_lab.evaluation.metrics import apply_sweep_value, evaluate_checkpoint, profile_policy
from distill_lab.io import DistillLabError, read_json, write_json
from distill_lab.runners import run_kind
from distill_lab.tasks.base import assign_teachers

from .args import make_parser
from .configs import hydra_task_config
from .resolve import to_play
from .session import open_runner

PARSER = make_parser(__doc__)
PARSER.add_argument("--checkpoints", nargs="+", required=True, help="Checkpoint files to evaluate.")
PARSER.add_argument("--num_steps", type=int, default=None, help="Steps per evaluation (default: one episode).")
PARSER.add_argument("--output", type=str, default=None, help="Write the results to this JSON file.")
PARSER.add_argument("--sweep", action="store_true", help="Also run the task's robustness sweep.")
PARSER.add_argument("--sweep_steps", type=int, default=None, help="Steps per sweep value (default: --num_steps).")
PARSER.add_argument(
    "--conditions",
    default=None,
    help="Teachers manifest: each env flies one of its teachers' "
    "conditions (e.g. vehicles), drawn at every reset as in multi-teacher training.",
)
PARSER.add_argument("--no_profile", action="store_true", help="Skip parameter count, ONNX size and latency.")
PARSER.add_argument(
    "--no_noise",
    action="store_true",
    help="Evaluate without observation noise (default: each policy "
    "reads its obs groups with the noise it trained with, as on the robot).",
)
PARSER.add_argument(
    "--teacher_conditions",
    action="store_true",
    help="A multi-teacher student flies its teachers' "
    "conditions (their vehicles), each env its own teacher's (default: the task's own randomization).",
)

NOISE = "observations.*.enable_corruption"
"""What keeps its training value under the play settings unless ``--no_noise``: every obs group's noise switch."""


@hydra_task_config(PARSER, play=True, keep=lambda args: () if args.no_noise else (NOISE,))
def main(env_cfg, agent_cfg, args, overrides) -> list[dict]:
    """Evaluate every checkpoint; return the results (also written to ``--output``)."""
    if args.num_envs is None and not any(o.startswith("env.scene.num_envs=") for o in overrides):
        env_cfg.scene.num_envs = 256  # the default of an evaluation
    starts = [to_play(args, args.task, agent_cfg, run_kind(agent_cfg), path) for path in args.checkpoints]
    starts[0].configure(env_cfg, agent_cfg, overrides, args.teacher_conditions)  # the first's models (and teachers)
    checkpoints = [start.path for start in starts]
    if args.conditions:
        teachers = read_json(args.conditions).get("teachers", [])
        conditions, weights = [t.get("conditions", {}) for t in teachers], [float(t.get("weight", 1)) for t in teachers]
        assign_teachers(env_cfg, conditions, weights)
    if args.sweep and not getattr(env_cfg, "robustness_sweep", None):
        raise DistillLabError(
            f"--sweep: task '{args.task}' has no robustness sweep: expected env.robustness_sweep "
            f"(a RobustnessSweepCfg) in {type(env_cfg).__name__}, found none"
        )
    seed = agent_cfg.seed
    results = []
    with open_runner(args.task, env_cfg, agent_cfg, args) as (env, runner):
        num_steps = args.num_steps or int(env.unwrapped.max_episode_length)
        for path in checkpoints:
            result = evaluate_checkpoint(env, runner, path, num_steps, seed, desc=os.path.basename(path))
            row = {"checkpoint": path, "seed": seed, "num_envs": env.num_envs, "observation_noise": not args.no_noise}
            row |= result.as_dict()
            if not args.no_profile:
                row["profile"] = profile_policy(runner, env)
            print("[RESULT] " + json.dumps(row), flush=True)
            row["trajectory"] = {k: v.tolist() for k, v in result.trace.items() if k not in ("obs", "actions", "dones")}
            results.append(row)
        if args.sweep:
            sweep = env_cfg.robustness_sweep
            for row in results:
                row["sweep"] = {"label": sweep.label, "training_range": list(sweep.training_range), "points": []}
            for value in sweep.values:
                apply_sweep_value(env, sweep, value)
                for row in results:
                    desc = f"{sweep.label}={value} {os.path.basename(row['checkpoint'])}"
                    result = evaluate_checkpoint(
                        env, runner, row["checkpoint"], args.sweep_steps or num_steps, seed, desc=desc
                    )
                    row["sweep"]["points"].append({"value": value, **result.as_dict()})
                    print(f"[SWEEP] {desc}: " + json.dumps(result.as_dict()), flush=True)
    if args.output:
        write_json(args.output, results)
    return results
