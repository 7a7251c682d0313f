"""Play a trained teacher or student in the simulator, print its return and success, and export it.

Student:  python scripts/rsl_rl/play.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point
Teacher:  python scripts/rsl_rl/play.py --task Quadcopter-Point-Ctrl
The newest run of the agent's experiment is used unless --load_run / --checkpoint (a regex or a path) say otherwise.
The policy is exported to <run>/exported/policy.pt and policy.onnx and checked against the in-memory policy.

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
import sys
import time

import cli_args

from distill_lab.utils.viz import VIEWERS

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
cli_args.add_common_args(parser)
parser.add_argument("--num_steps", type=int, default=None, help="Steps to play (default: two episodes).")
parser.add_argument("--no_export", action="store_true", help="Do not export the policy.")
parser.add_argument("--viz", choices=VIEWERS, default="none", help="Live viewer: Isaac Lab's Viser web visualizer.")
parser.add_argument("--port", type=int, default=8080, help="Port of the Viser web page (bound to 127.0.0.1).")
parser.add_argument(
    "--real_time",
    action=argparse.BooleanOptionalAction,
    default=None,
    help="Pace steps at the control rate (default: on with --viz viser).",
)
parser.add_argument(
    "--compare_teacher",
    action="store_true",
    help="Record a student and the teacher stored in its checkpoint from identical initial states, side by side.",
)
parser.add_argument(
    "--camera_distance",
    type=float,
    default=None,
    help="Camera distance to env 0's robot [m] (default: half the task's viewer distance).",
)
cli_args.add_rsl_rl_args(parser)
args_cli, hydra_args = parser.parse_known_args()
sys.argv = [sys.argv[0]] + hydra_args

import gymnasium as gym  # noqa: E402

import distill_lab  # noqa: E402, F401
from distill_lab.utils import (  # noqa: E402
    DistillLabError,
    hydra_task_config,
    is_distillation,
    load_checkpoint,
    make_runner,
    run_cli,
    simulation,
)
from distill_lab.utils.export import check_export_parity, export_policy  # noqa: E402
from distill_lab.utils.rollout import rollout  # noqa: E402
from distill_lab.utils.viz import (  # noqa: E402
    CameraEnv,
    FollowCamera,
    add_video,
    add_viser,
    check_video_support,
    newest_clip,
    read_frames,
    side_by_side,
    virtual_display,
    viser_url,
    watch,
    write_gif,
    write_mp4,
)


@hydra_task_config(args_cli.task, args_cli.agent, play=True)
def main(env_cfg, agent_cfg):

    from isaaclab_rl.rsl_rl import RslRlVecEnvWrapper

    cli_args.apply_args(env_cfg, agent_cfg, args_cli, video_ok=True)
    path = cli_args.checkpoint_from_args(args_cli, agent_cfg.experiment_name)
    ckpt = load_checkpoint(path)
    if is_distillation(agent_cfg) and "student_state_dict" not in ckpt:
        raise DistillLabError(
            f"{path} holds no student (keys {sorted(ckpt)}); play a teacher with --agent rsl_rl_cfg_entry_point."
        )
    if not is_distillation(agent_cfg) and "actor_state_dict" not in ckpt:
        raise DistillLabError(
            f"{path} holds no PPO actor (keys {sorted(ckpt)}); play a student with "
            "--agent rsl_rl_distillation_cfg_entry_point."
        )
    if args_cli.compare_teacher and not is_distillation(agent_cfg):
        raise DistillLabError(
            "--compare_teacher plays a student and the teacher stored in its checkpoint; pass a student --agent, "
            "e.g. rsl_rl_distillation_cfg_entry_point."
        )
    video = args_cli.video or args_cli.compare_teacher
    if video and args_cli.viz != "none":
        raise DistillLabError("--video records from NewtonGL; run it and --viz viser separately.")
    print(f"[INFO] Loading checkpoint: {path}")
    video_dir = os.path.join(os.path.dirname(path), "videos", "play")
    started = time.time()  # clips written before this run are not this run's
    stem = os.path.splitext(os.path.basename(path))[0]
    if video:
        check_video_support()
        prefix = f"student_{stem}" if args_cli.compare_teacher else f"clip_{stem}"
        add_video(env_cfg, video_dir, args_cli.video_length, prefix, clips=2 if args_cli.compare_teacher else 1)
    elif args_cli.viz == "viser":
        add_viser(env_cfg, args_cli.port)

    with virtual_display() if video else contextlib.nullcontext(), simulation(env_cfg, agent_cfg.device):
        env = RslRlVecEnvWrapper(gym.make(args_cli.task, cfg=env_cfg), clip_actions=agent_cfg.clip_actions)
        runner = make_runner(env, agent_cfg, log_dir=None)
        runner.load(path, map_location=agent_cfg.device)
        policy = runner.get_inference_policy(device=agent_cfg.device)
        if args_cli.viz == "viser":
            FollowCamera(env, args_cli.camera_distance).update()  # applied when a browser connects
            print(f"[INFO] Viser: open {viser_url(env)} in a browser; Ctrl-C stops.", flush=True)
            real_time = args_cli.real_time is not False
            steps = watch(env, policy, args_cli.num_steps, real_time)
            print(f"[INFO] Played {steps} steps ({'real time' if real_time else 'as fast as it runs'}).")
            env.close()
            return
        camera = FollowCamera(env, args_cli.camera_distance) if video else None
        play_env = CameraEnv(env, camera) if video else env
        num_steps = args_cli.num_steps or 2 * int(env.unwrapped.max_episode_length)
        if video:  # one clip: a longer rollout would only render frames nobody records
            num_steps = args_cli.num_steps or args_cli.video_length
        start = time.perf_counter()
        if args_cli.compare_teacher:
            num_steps = args_cli.video_length
            results = {}
            for who, actor in (("student", policy), ("teacher", runner.alg.teacher)):
                env.unwrapped.video_recorders[0].cfg.output_filename_prefix = f"{who}_{stem}"
                env.seed(agent_cfg.seed)  # identical initial states for both
                env.reset()
                actor.reset()
                camera.target = None
                results[who] = rollout(play_env, actor, num_steps)
            result = results["student"]
        else:
            result = rollout(play_env, policy, num_steps)
        ms_per_step = 1e3 * (time.perf_counter() - start) / (num_steps * (2 if args_cli.compare_teacher else 1))
        summary = {"checkpoint": path, "num_envs": env.num_envs, "num_steps": num_steps, **result.as_dict()}
        if args_cli.compare_teacher:
            summary["teacher"] = results["teacher"].as_dict()
        print("[RESULT] " + json.dumps(summary))
        if not args_cli.no_export:
            export_dir = os.path.join(os.path.dirname(path), "exported")
            jit_path, onnx_path = export_policy(runner, export_dir, env)
            err = check_export_parity(jit_path, onnx_path, result.trace)
            print(f"[INFO] Exported {jit_path} and {onnx_path} (max action difference {err:.1e}).")
        env.close()  # flushes an unfinished clip
    if video:
        videos = _write_videos(video_dir, stem, since=started)
        print("[VIDEO] " + json.dumps({**videos, "ms_per_step": round(ms_per_step, 1)}))


def _write_videos(video_dir: str, stem: str, since: float) -> dict:
    """GIFs of the recorded clips; with --compare_teacher also the side-by-side mp4 and GIF."""
    if not args_cli.compare_teacher:
        clip = newest_clip(video_dir, f"clip_{stem}", since)
        frames, fps = read_frames(clip)
        return {"mp4": clip, "gif": write_gif(frames, fps, clip[:-4] + ".gif"), "frames": len(frames), "fps": fps}
    student, teacher = (newest_clip(video_dir, f"{who}_{stem}", since) for who in ("student", "teacher"))
    frames, fps = side_by_side(student, teacher, ("student", "teacher"))
    base = os.path.join(video_dir, f"compare_{stem}")
    return {
        "mp4": write_mp4(frames, fps, base + ".mp4"),
        "gif": write_gif(frames, fps, base + ".gif", width=800),
        "student_mp4": student,
        "teacher_mp4": teacher,
        "frames": len(frames),
        "fps": fps,
    }


if __name__ == "__main__":
    run_cli(main)
