"""Teacher -> student -> evaluation -> export -> report, in one command.

    python scripts/pipeline.py --task Quadcopter-Point-Ctrl                  # shipped teacher, DAgger student
    python scripts/pipeline.py --task blind_rl --train_teacher --method rsl_rl_distillation_cfg_entry_point

Stages run as the project's own scripts (train.py, evaluate.py, play.py), each logging to a file in the pipeline
folder ``logs/pipeline/<task>/<name>/``; long stages show a progress bar. ``state.json`` there records what is done,
so re-running with the same ``--name`` skips finished stages. The report (``report.md`` and a self-contained
``report.html`` with PNG plots) compares the student with its teacher on identical seeds and initial states, and
shows a GIF of the student (``play.py --video``; skipped with a message where videos cannot be recorded).
Hydra overrides after the flags apply to every training stage (e.g. ``env.scene.num_envs=256``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts", "rsl_rl")

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--task", required=True)
parser.add_argument("--name", default="default", help="Pipeline folder name; re-use it to resume or skip stages.")
parser.add_argument("--teacher", default=None, help="Teacher checkpoint to use (default: the shipped one).")
parser.add_argument("--train_teacher", action="store_true", help="Train the teacher instead of using a shipped one.")
parser.add_argument("--teacher_iterations", type=int, default=None, help="PPO iterations when training the teacher.")
parser.add_argument("--method", default="rsl_rl_dagger_cfg_entry_point", help="Distillation agent entry point.")
parser.add_argument("--student_iterations", type=int, default=60)
parser.add_argument("--num_envs", type=int, default=512, help="Envs for training stages.")
parser.add_argument("--eval_envs", type=int, default=256)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--no_video", action="store_true", help="Skip the stage that records the student's GIF.")
parser.add_argument("--video_length", type=int, default=150, help="Env steps in the student's GIF.")
args, overrides = parser.parse_known_args()


def run_stage(name: str, script: str, argv: list[str], log_path: str) -> str:
    """Run a script, stream its output to ``log_path`` and show a progress bar over its learning iterations."""
    from tqdm import tqdm

    cmd = [sys.executable, os.path.join(SCRIPTS, script), *argv]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"), "PYTHONUNBUFFERED": "1"}
    lines, bar = [], None
    with (
        open(log_path, "w") as log,
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc,
    ):
        log.write(" ".join(cmd) + "\n")
        for line in proc.stdout:
            log.write(line)
            lines.append(line)
            m = re.search(r"Learning iteration (\d+)/(\d+)", line)
            if m:
                bar = bar or tqdm(total=int(m.group(2)), desc=name, unit="it")
                bar.n = int(m.group(1)) + 1
                bar.refresh()
        proc.wait()
    if bar:
        bar.close()
    out = "".join(lines)
    if proc.returncode != 0:
        raise SystemExit(f"[pipeline] stage '{name}' failed (exit {proc.returncode}); see {log_path}\n" + out[-1500:])
    return out


def main() -> None:
    folder = os.path.join(ROOT, "logs", "pipeline", args.task, args.name)
    os.makedirs(folder, exist_ok=True)
    state_path = os.path.join(folder, "state.json")
    state = json.load(open(state_path)) if os.path.exists(state_path) else {}

    def done(stage: str, **values) -> None:
        state[stage] = {**values, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
        json.dump(state, open(state_path, "w"), indent=2)

    def skip(stage: str, *paths: str) -> bool:
        ok = stage in state and all(os.path.exists(p) for p in paths)
        if ok:
            print(f"[pipeline] {stage}: done before, skipping")
        return ok

    common = ["--task", args.task, "--seed", str(args.seed)]
    # 1. teacher
    if not skip("teacher", state.get("teacher", {}).get("checkpoint", "/nonexistent")):
        start = time.time()
        if args.teacher:
            ckpt = os.path.abspath(args.teacher)
        elif not args.train_teacher:
            sys.path.insert(0, os.path.join(ROOT, "source", "distill_lab"))
            from distill_lab.pretrained import pretrained_teacher

            ckpt = pretrained_teacher(args.task)
        else:
            argv = [*common, "--num_envs", str(args.num_envs), "--run_name", f"pipeline_{args.name}", *overrides]
            argv += ["--max_iterations", str(args.teacher_iterations)] if args.teacher_iterations else []
            out = run_stage("teacher", "train.py", argv, os.path.join(folder, "teacher.log"))
            run_dir = re.search(r"Run folder: (\S+)", out).group(1)
            ckpt = os.path.join(
                run_dir,
                sorted((f for f in os.listdir(run_dir) if f.startswith("model_")), key=lambda f: int(f[6:-3]))[-1],
            )
        done("teacher", checkpoint=ckpt, seconds=time.time() - start)
        print(f"[pipeline] teacher: {ckpt}")
    teacher = state["teacher"]["checkpoint"]
    # 2. student
    if not skip("student", state.get("student", {}).get("checkpoint", "/nonexistent")):
        start = time.time()
        argv = [
            *common,
            "--agent",
            args.method,
            "--teacher_checkpoint",
            teacher,
            "--num_envs",
            str(args.num_envs),
            "--max_iterations",
            str(args.student_iterations),
            "--run_name",
            f"pipeline_{args.name}",
            *overrides,
        ]
        out = run_stage("student", "train.py", argv, os.path.join(folder, "student.log"))
        run_dir = re.search(r"Run folder: (\S+)", out).group(1)
        ckpt = os.path.join(run_dir, f"model_{args.student_iterations - 1}.pt")
        done("student", checkpoint=ckpt, run_dir=run_dir, seconds=time.time() - start)
    student = state["student"]["checkpoint"]
    # 3. evaluation on identical seeds
    eval_path = os.path.join(folder, "evaluation.json")
    if not skip("evaluate", eval_path):
        results = {}
        for who, agent, ckpt in (("teacher", "rsl_rl_cfg_entry_point", teacher), ("student", args.method, student)):
            out_json = os.path.join(folder, f"eval_{who}.json")
            run_stage(
                f"evaluate {who}",
                "evaluate.py",
                [
                    *common,
                    "--agent",
                    agent,
                    "--checkpoints",
                    ckpt,
                    "--num_envs",
                    str(args.eval_envs),
                    "--output",
                    out_json,
                    "--sweep",
                ],
                os.path.join(folder, f"eval_{who}.log"),
            )
            results[who] = json.load(open(out_json))[0]
        results["return_ratio"] = results["student"]["mean_return"] / results["teacher"]["mean_return"]
        json.dump(results, open(eval_path, "w"), indent=2)
        done("evaluate", path=eval_path)
    # 4. export (play.py exports and checks parity)
    exported = os.path.join(os.path.dirname(student), "exported", "policy.onnx")
    if not skip("export", exported):
        out = run_stage(
            "export",
            "play.py",
            [*common, "--agent", args.method, "--checkpoint", student, "--num_envs", "16", "--num_steps", "200"],
            os.path.join(folder, "export.log"),
        )
        err = float(re.search(r"max action difference ([0-9.e+-]+)", out).group(1))
        done("export", onnx=exported, parity_max_abs_diff=err)
    # 5. a GIF of the student for the report (play.py --video), skipped where videos cannot be recorded
    sys.path.insert(0, os.path.join(ROOT, "source", "distill_lab"))
    if not args.no_video and not skip("video", state.get("video", {}).get("gif", "/nonexistent")):
        from distill_lab.utils import DistillLabError
        from distill_lab.utils.viz import check_video_support

        try:
            check_video_support()
        except DistillLabError as err:
            print(f"[pipeline] video: skipped, {err}")
        else:
            argv = [*common, "--agent", args.method, "--checkpoint", student, "--num_envs", "4", "--no_export"]
            argv += ["--video", "--video_length", str(args.video_length)]
            out = run_stage("video", "play.py", argv, os.path.join(folder, "video.log"))
            video = json.loads(out.split("[VIDEO] ")[1].splitlines()[0])
            gif = os.path.join(folder, "student.gif")
            shutil.copyfile(video["gif"], gif)
            done("video", gif=gif, mp4=video["mp4"])
    # 6. report
    from distill_lab.report import write_report

    paths = write_report(folder, args.task, state, json.load(open(eval_path)))
    done("report", **paths)
    ev = json.load(open(eval_path))
    print(f"[pipeline] student/teacher return {ev['return_ratio']:.3f}; report: {paths['html']}")


if __name__ == "__main__":
    main()
