"""Teacher -> student -> evaluation -> export and GIF -> sim-to-sim -> report, in one command.

    pipeline.py --task Quadcopter-Point-Ctrl                  # the shipped teacher, a DAgger student
    pipeline.py --task blind_rl --train_teacher --method rsl_rl_distillation_cfg_entry_point

Each stage calls one of the project's commands as a function (train, evaluate, play) and reads what it returns and
the files it writes (the run's manifest.json, the evaluation JSON); the stage's log goes to ``<stage>.log`` in the
pipeline folder ``logs/pipeline/<task>/<name>/`` while progress bars show on the terminal. ``state.json`` there records
what is done, so re-running with the same ``--name`` skips finished stages. The report (``report.md`` and a
self-contained ``report.html`` with PNG plots) compares the student with its teacher on identical seeds and initial
states (``--sweep`` adds the task's robustness sweep) and shows a GIF of the student, recorded while it is exported
(skipped, with the reason, where videos cannot be recorded). Where the task names an MJCF of its robot
(``env_cfg.sim2sim.mjcf``), the ``sim2sim`` stage plays the exported student (``--sim2sim_teacher``: and the teacher)
in Newton and in MuJoCo on the same commands and start states (``sim2sim.py``); its table and MuJoCo GIF join the
report (``--no_sim2sim`` skips it).

Hydra overrides after the flags: ``env.*`` and ``presets=`` reach every stage; ``agent.*`` reach the student's.
``env.scene.num_envs`` sets the training stages' envs, like ``--num_envs``; evaluation uses ``--eval_envs``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence

from distill_lab.evaluation.report import write_report
from distill_lab.evaluation.viz import check_video_support
from distill_lab.io import DistillLabError, latest_checkpoint, read_json, write_json

from . import evaluate, play, sim2sim, train
from .args import parse
from .configs import resolve_configs

PARSER = argparse.ArgumentParser(
    description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
)
PARSER.add_argument("--task", required=True, help="Gym ID of the task.")
PARSER.add_argument("--name", default="default", help="Pipeline folder name; re-use it to resume or skip stages.")
PARSER.add_argument("--teacher", default=None, help="Teacher checkpoint to use (default: the shipped one).")
PARSER.add_argument("--train_teacher", action="store_true", help="Train the teacher instead of using a shipped one.")
PARSER.add_argument("--teacher_iterations", type=int, default=None, help="PPO iterations when training the teacher.")
PARSER.add_argument("--method", default="rsl_rl_dagger_cfg_entry_point", help="Distillation agent entry point.")
PARSER.add_argument("--student_iterations", type=int, default=None, help="Student iterations (default 80).")
PARSER.add_argument("--num_envs", type=int, default=None, help="Envs of the training stages (default 512).")
PARSER.add_argument("--eval_envs", type=int, default=256, help="Envs of the evaluation.")
PARSER.add_argument("--seed", type=int, default=1, help="Seed of every stage.")
PARSER.add_argument("--no_video", action="store_true", help="Export without recording the student's GIF.")
PARSER.add_argument(
    "--no_noise", action="store_true", help="Evaluate without observation noise (default: with the trained noise)."
)
PARSER.add_argument("--video_length", type=int, default=150, help="Env steps in the student's GIF.")
PARSER.add_argument(
    "--sweep",
    action="store_true",
    help="Also evaluate teacher and student at each value of the task's robustness sweep (env.robustness_sweep: one "
    "more evaluation per value and policy).",
)
PARSER.add_argument("--no_sim2sim", action="store_true", help="Skip the Newton-vs-MuJoCo stage.")
PARSER.add_argument(
    "--sim2sim_teacher", action="store_true", help="Play the teacher in the sim2sim stage too (default: the student)."
)
PARSER.add_argument(
    "--sim2sim_targets", type=int, default=8, help="Target points per policy in the sim2sim stage (target tasks)."
)


@contextlib.contextmanager
def output_to(path: str) -> Iterator[None]:
    """Send this process's standard output (Python's and native libraries') to ``path`` while inside."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(path, "a", buffering=1) as log, contextlib.redirect_stdout(log):
        os.dup2(log.fileno(), 1)
        try:
            yield
        finally:
            log.flush()
            os.dup2(saved, 1)
            os.close(saved)


class Pipeline:
    """The stages' shared state: the folder, ``state.json`` and the overrides each stage gets."""

    def __init__(self, args: argparse.Namespace, overrides: list[str]):
        self.args = args
        self.folder = os.path.abspath(os.path.join("logs", "pipeline", args.task, args.name))
        os.makedirs(self.folder, exist_ok=True)
        self.state_path = os.path.join(self.folder, "state.json")
        self.state = read_json(self.state_path) if os.path.exists(self.state_path) else {}
        self.env_overrides = [o for o in overrides if not o.startswith("agent.")]
        self.agent_overrides = [o for o in overrides if o.startswith("agent.")]
        self.common = ["--task", args.task, "--seed", str(args.seed)]
        self.mark = time.time()

    def done(self, stage: str, **values) -> None:
        """Record a finished stage with its ``seconds``: the wall time since the previous stage finished (or since
        this run began)."""
        now = time.time()
        self.state[stage] = {**values, "seconds": now - self.mark, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
        self.mark = now
        write_json(self.state_path, self.state)

    def skip(self, stage: str, key: str) -> bool:
        """Whether ``stage`` finished before and the file it recorded under ``key`` is still there."""
        ok = os.path.exists(self.state.get(stage, {}).get(key, "/nonexistent"))
        if ok:
            print(f"[pipeline] {stage}: done before, skipping", file=sys.stderr)
        return ok

    def run(self, stage: str, command, argv: list[str]):
        """Call ``command.main(argv)`` with its output in ``<stage>.log``; return what it returns."""
        log = os.path.join(self.folder, f"{stage.replace(' ', '_')}.log")
        print(f"[pipeline] {stage} (log: {log})", file=sys.stderr, flush=True)
        with output_to(log):
            print(f"{command.__name__.split('.')[-1]} {' '.join(argv)}", flush=True)
            return command.main(argv)

    def fixed_envs(self, overrides: list[str]) -> list[str]:
        """Overrides for a stage that sets its own env count (evaluation, export, video)."""
        return [o for o in overrides if not o.startswith("env.scene.num_envs=")]


def main(argv: Sequence[str] | None = None) -> dict:
    """Run the stages not done yet; return the evaluation (student and teacher metrics, return ratio)."""
    args, overrides = parse(PARSER, argv)
    given = {o.split("=", 1)[0] for o in overrides}
    for flag, key in (("num_envs", "env.scene.num_envs"), ("student_iterations", "agent.max_iterations")):
        if getattr(args, flag) is not None and key in given:
            raise DistillLabError(f"--{flag} and the override {key}=... set the same thing; give one of them.")
    p = Pipeline(args, overrides)
    env_cfg, _ = resolve_configs(args.task, None, p.env_overrides)  # what the evaluate and sim2sim stages ask of it
    if args.sweep and not getattr(env_cfg, "robustness_sweep", None):  # a task someone else wrote: none
        raise DistillLabError(
            f"--sweep: expected env.robustness_sweep (a RobustnessSweepCfg) in task '{args.task}', found none"
        )
    train_envs = [] if "env.scene.num_envs" in given else ["--num_envs", str(args.num_envs or 512)]
    iterations = [] if "agent.max_iterations" in given else ["--max_iterations", str(args.student_iterations or 80)]

    if not p.skip("teacher", "checkpoint"):
        if args.teacher:
            teacher = os.path.abspath(args.teacher)
        elif args.train_teacher:
            argv = [*p.common, *train_envs, "--run_name", f"pipeline_{args.name}", *p.env_overrides]
            argv += ["--max_iterations", str(args.teacher_iterations)] if args.teacher_iterations else []
            teacher = latest_checkpoint(p.run("teacher", train, argv))
        else:
            from distill_lab.pretrained import pretrained_teacher

            teacher = pretrained_teacher(args.task)
        p.done("teacher", checkpoint=teacher)
    teacher = p.state["teacher"]["checkpoint"]
    student_stage = [*p.common, "--agent", args.method, *p.env_overrides, *p.agent_overrides]

    if not p.skip("student", "checkpoint"):
        argv = [
            *student_stage,
            "--teacher_checkpoint",
            teacher,
            *train_envs,
            *iterations,
            "--run_name",
            f"pipeline_{args.name}",
        ]
        run_dir = p.run("student", train, argv)
        p.done("student", checkpoint=latest_checkpoint(run_dir), run_dir=run_dir)
    student = p.state["student"]["checkpoint"]

    eval_path = os.path.join(p.folder, "evaluation.json")
    if not p.skip("evaluate", "path"):
        sweep = ["--sweep"] if args.sweep else []
        results = {}
        for who, argv, ckpt in (
            ("teacher", [*p.common, *p.env_overrides], teacher),
            ("student", student_stage, student),
        ):
            argv = [
                *p.fixed_envs(argv),
                "--checkpoints",
                ckpt,
                "--num_envs",
                str(args.eval_envs),
                *sweep,
                *(["--no_noise"] if args.no_noise else []),
                "--output",
                os.path.join(p.folder, f"eval_{who}.json"),
            ]
            results[who] = p.run(f"evaluate {who}", evaluate, argv)[0]
        results["return_ratio"] = results["student"]["mean_return"] / results["teacher"]["mean_return"]
        write_json(eval_path, results)
        p.done("evaluate", path=eval_path)

    if not p.skip("export", "onnx"):  # one play: the export, its parity check and (unless --no_video) the GIF
        video = not args.no_video
        if video:
            try:
                check_video_support()
            except DistillLabError as err:
                print(f"[pipeline] video: skipped, {err}", file=sys.stderr)
                video = False
        argv = [*p.fixed_envs(student_stage), "--checkpoint", student, "--num_envs", "4" if video else "16"]
        argv += ["--video", "--video_length", str(args.video_length)] if video else ["--num_steps", "200"]
        summary = p.run("export", play, argv)
        recorded = {}
        if video:
            gif = shutil.copyfile(summary["video"]["gif"], os.path.join(p.folder, "student.gif"))
            recorded = {"gif": gif, "mp4": summary["video"]["mp4"]}
        export = summary["export"]
        p.done("export", onnx=export["onnx"], parity_max_abs_diff=export["max_action_difference"], **recorded)

    if not args.no_sim2sim and getattr(getattr(env_cfg, "sim2sim", None), "mjcf", "") and not p.skip("sim2sim", "json"):
        argv = [
            "--task",
            args.task,
            *(["--teacher", teacher] if args.sim2sim_teacher else []),
            "--student",
            p.state["export"]["onnx"],
            "--num_targets",
            str(args.sim2sim_targets),
            "--seed",
            str(args.seed),
            "--out",
            os.path.join(p.folder, "sim2sim"),
            *(["--no_video"] if args.no_video else []),
            *p.fixed_envs(p.env_overrides),
        ]
        result = p.run("sim2sim", sim2sim, argv)
        video = result["roles"]["student"]["mujoco"]["video"]
        p.done("sim2sim", json=os.path.join(result["folder"], "sim2sim.json"), gif=video)

    evaluation = read_json(eval_path, "evaluation")
    paths = write_report(p.folder, args.task, p.state, evaluation)
    p.done("report", **paths)
    print(f"[pipeline] student/teacher return {evaluation['return_ratio']:.3f}; report: {paths['html']}")
    return evaluation
