"""Play a trained teacher or student in the simulator, report its return and success, and export it.

Student:  play.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point     (the newest student)
Teacher:  play.py --task Quadcopter-Point-Ctrl [--checkpoint pretrained]
--load_run / --checkpoint (regexes, a path, or latest / best) pick another checkpoint. The policy is exported to
<run>/exported/policy.pt and policy.onnx and checked against the in-memory policy; a shipped checkpoint's files go to
logs/rsl_rl/<experiment>/pretrained_<name>/ (never into the package).

Watch it (kit-less, CPU):
  --viz viser          serve the scene at http://127.0.0.1:8080 (--port); runs at real time until Ctrl-C or --num_steps
  --video              record --video_length steps (NewtonGL under Xvfb) to <run>/videos/play/*.mp4 and a GIF
  --compare_teacher    a student and the teacher in its checkpoint from identical initial states, side by side
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time

from distill_lab.evaluation import viz
from distill_lab.evaluation.export import check_export_parity, export_policy
from distill_lab.evaluation.rollout import rollout
from distill_lab.io import DistillLabError, output_folder
from distill_lab.runners import run_kind

from .args import make_parser
from .configs import hydra_task_config
from .resolve import to_play
from .session import open_runner

PARSER = make_parser(__doc__)
PARSER.add_argument("--num_steps", type=int, default=None, help="Steps to play (default: two episodes).")
PARSER.add_argument("--no_export", action="store_true", help="Do not export the policy.")
PARSER.add_argument("--viz", choices=viz.VIEWERS, default="none", help="Live viewer: Isaac Lab's Viser web visualizer.")
PARSER.add_argument("--port", type=int, default=8080, help="Port of the Viser web page (bound to 127.0.0.1).")
PARSER.add_argument(
    "--real_time",
    action=argparse.BooleanOptionalAction,
    default=None,
    help="Pace steps at the control rate (default: on with --viz viser).",
)
PARSER.add_argument("--video", action="store_true", help="Record an mp4 and a GIF (NewtonGL under Xvfb).")
PARSER.add_argument("--video_length", type=int, default=200, help="Length of a recorded video in env steps.")
PARSER.add_argument(
    "--compare_teacher",
    action="store_true",
    help="Record a student and its checkpoint's teacher from identical initial states.",
)
PARSER.add_argument(
    "--camera_distance",
    type=float,
    default=None,
    help="Camera distance to env 0's robot [m] (default: half the task's viewer's).",
)


@hydra_task_config(PARSER, play=True)
def main(env_cfg, agent_cfg, args, overrides) -> dict:
    """Play (and export, record or serve) as the flags say; return the summary (also printed as JSON)."""
    kind = run_kind(agent_cfg)
    if args.compare_teacher and kind.starts_from != "teacher":
        raise DistillLabError(
            "--compare_teacher plays a student and the teacher stored in its checkpoint; pass a student --agent, "
            "e.g. rsl_rl_distillation_cfg_entry_point."
        )
    video = args.video or args.compare_teacher
    if video and args.viz != "none":
        raise DistillLabError("--video records from NewtonGL; run it and --viz viser separately.")
    start = to_play(args, args.task, agent_cfg, kind)
    start.configure(env_cfg, agent_cfg, overrides, teacher_conditions=False)
    path = start.path
    out_dir = output_folder(path, agent_cfg.experiment_name)
    video_dir = os.path.join(out_dir, "videos", "play")
    stem = os.path.splitext(os.path.basename(path))[0]
    started = time.time()  # clips written before this run are not this run's
    if video:
        viz.check_video_support()
        prefix = f"student_{stem}" if args.compare_teacher else f"clip_{stem}"
        viz.add_video(env_cfg, video_dir, args.video_length, prefix, interval=args.video_length * args.compare_teacher)
    elif args.viz == "viser":
        viz.add_viser(env_cfg, args.port)

    with (
        viz.virtual_display() if video else contextlib.nullcontext(),
        open_runner(args.task, env_cfg, agent_cfg, args) as (env, runner),
    ):
        start.load_into(runner)
        policy = runner.get_inference_policy(device=agent_cfg.device)
        if args.viz == "viser":
            viz.FollowCamera(env, args.camera_distance).update()  # applied when a browser connects
            print(f"[INFO] Viser: open {viz.viser_url(env)} in a browser; Ctrl-C stops.", flush=True)
            real_time = args.real_time is not False
            steps = viz.watch(env, policy, args.num_steps, real_time)
            print(f"[INFO] Played {steps} steps ({'real time' if real_time else 'as fast as it runs'}).")
            return {"checkpoint": path, "num_steps": steps}
        play_env = viz.CameraEnv(env, viz.FollowCamera(env, args.camera_distance)) if video else env
        num_steps = args.num_steps or (args.video_length if video else 2 * int(env.unwrapped.max_episode_length))
        start = time.perf_counter()
        if args.compare_teacher:
            results = {}
            for who, actor in (("student", policy), ("teacher", runner.alg.teacher)):
                env.unwrapped.video_recorders[0].cfg.output_filename_prefix = f"{who}_{stem}"
                env.seed(agent_cfg.seed)  # identical initial states for both
                env.reset()
                actor.reset()
                play_env._camera.target = None
                results[who] = rollout(play_env, actor, num_steps, desc=f"video ({who})")
            result = results["student"]
        else:
            result = rollout(play_env, policy, num_steps, desc="video" if video else "play")
        ms_per_step = 1e3 * (time.perf_counter() - start) / (num_steps * (2 if args.compare_teacher else 1))
        summary = {"checkpoint": path, "num_envs": env.num_envs, "num_steps": num_steps, **result.as_dict()}
        if args.compare_teacher:
            summary["teacher"] = results["teacher"].as_dict()
        if not args.no_export:
            jit_path, onnx_path = export_policy(runner, os.path.join(out_dir, "exported"), env)
            error = check_export_parity(jit_path, onnx_path, result.trace)
            summary["export"] = {"jit": jit_path, "onnx": onnx_path, "max_action_difference": error}
            print(f"[INFO] Exported {jit_path} and {onnx_path} (max action difference {error:.1e}).")
    if video:
        summary["video"] = {**_write_videos(args, video_dir, stem, since=started), "ms_per_step": round(ms_per_step, 1)}
    print("[RESULT] " + json.dumps(summary))
    return summary


def _write_videos(args, video_dir: str, stem: str, since: float) -> dict:
    """GIFs of the recorded clips; with --compare_teacher also the side-by-side mp4 and GIF."""
    if not args.compare_teacher:
        clip = viz.newest_clip(video_dir, f"clip_{stem}", since)
        frames, fps = viz.read_frames(clip)
        return {"mp4": clip, "gif": viz.write_gif(frames, fps, clip[:-4] + ".gif"), "frames": len(frames), "fps": fps}
    student, teacher = (viz.newest_clip(video_dir, f"{who}_{stem}", since) for who in ("student", "teacher"))
    frames, fps = viz.side_by_side(student, teacher, ("student", "teacher"))
    base = os.path.join(video_dir, f"compare_{stem}")
    return {
        "mp4": viz.write_mp4(frames, fps, base + ".mp4"),
        "gif": viz.write_gif(frames, fps, base + ".gif", width=800),
        "student_mp4": student,
        "teacher_mp4": teacher,
        "frames": len(frames),
        "fps": fps,
    }
