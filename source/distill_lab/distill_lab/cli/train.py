"""Train a PPO teacher, or distill or fine-tune a student, with RSL-RL on a distill_lab task (kit-less on Newton).

Teacher:    train.py --task Quadcopter-Point-Ctrl
Student:    train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point \\
                --resume --load_run <teacher run> --checkpoint model_N.pt      (or --teacher_checkpoint PATH|pretrained)
Continue:   the same flags naming a student run (--resume alone: the newest run of the agent's experiment)
Teachers:   train.py --task T --agent rsl_rl_multi_teacher_cfg_entry_point --teacher_checkpoint A.pt B.pt|teachers.json
Offline BC: train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_bc_cfg_entry_point --dataset data.pt  (collect.py)
Fine-tune:  train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_finetune_cfg_entry_point --checkpoint <student>.pt
Video:      --video [--video_length 200 --video_interval 2000] records clips while training (NewtonGL under Xvfb)
Scale out:  torchrun --nproc_per_node=N train.py ... --distributed   (Gloo on CPUs, NCCL on GPUs)
Hydra overrides go at the end: env.scene.num_envs=64 agent.max_iterations=10
Runs go to logs/rsl_rl/<experiment>/<date>_<time>[_<run_name>]/ with model_N.pt, manifest.json, run.json, params/.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import datetime

from tqdm import tqdm

from distill_lab.distillation.interface import interface
from distill_lab.evaluation import viz
from distill_lab.io import LOG_ROOT, DistillLabError, check_writable, latest_checkpoint
from distill_lab.runners import check_policy_observations, run_kind

from .args import make_parser
from .configs import hydra_task_config
from .resolve import start_of_run
from .session import open_runner

PARSER = make_parser(__doc__)
PARSER.add_argument("--max_iterations", type=int, default=None, help="Number of learning iterations.")
PARSER.add_argument("--dataset", type=str, default=None, help="Teacher dataset for offline BC (collect.py writes one).")
PARSER.add_argument("--video", action="store_true", help="Record clips while training (NewtonGL under Xvfb).")
PARSER.add_argument("--video_length", type=int, default=200, help="Env steps of a clip.")
PARSER.add_argument("--video_interval", type=int, default=2000, help="Env steps from one clip to the next.")


@hydra_task_config(PARSER)
def main(env_cfg, agent_cfg, args, overrides) -> str:
    """Train as the flags say; return the run folder."""
    from isaaclab.utils.io import dump_yaml
    from isaaclab_rl.entrypoints.common import write_run_manifest

    kind = run_kind(agent_cfg)
    if args.dataset:
        if kind.name != "offline_bc":
            raise DistillLabError(f"--dataset is for offline BC (--agent rsl_rl_bc_cfg_entry_point), not {args.agent}.")
        agent_cfg.algorithm.dataset_path = os.path.abspath(args.dataset)
    check_policy_observations(env_cfg, agent_cfg)
    algorithm = getattr(agent_cfg, "algorithm", None)
    user_set = any(o.split("=", 1)[0].lstrip("+~") == "agent.algorithm.asynchronous" for o in overrides)
    if args.distributed and getattr(algorithm, "asynchronous", False) and not user_set:  # the entry point's default
        algorithm.asynchronous = False  # DAgger's asynchronous learner runs in one process (set by the user: refused)
        print("[INFO] --distributed: DAgger learns synchronously (its asynchronous learner runs in one process).")
    start = start_of_run(args, args.task, agent_cfg, kind)
    if start is not None:
        start.configure(env_cfg, agent_cfg, overrides)
    rank = int(os.environ.get("RANK", "0"))  # under torchrun only rank 0 writes the run folder, logs and saves
    run_name = datetime.now().strftime("%Y-%m-%d_%H-%M-%S") + (f"_{agent_cfg.run_name}" if agent_cfg.run_name else "")
    log_dir = os.path.abspath(os.path.join(LOG_ROOT, agent_cfg.experiment_name, run_name)) if rank == 0 else None
    if log_dir:
        print(f"[INFO] Logging experiment in directory: {log_dir}")
        check_writable(log_dir)
        env_cfg.log_dir = log_dir
        write_run_manifest(log_dir, library="rsl_rl", task=args.task, metadata={"agent": args.agent})
    video = args.video and log_dir  # rank 0 records; clips go to <run>/videos/train and TensorBoard / W&B
    if video:
        viz.check_video_support()
        viz.add_video(
            env_cfg, os.path.join(log_dir, "videos", "train"), args.video_length, "train", interval=args.video_interval
        )

    with (
        viz.virtual_display() if video else contextlib.nullcontext(),
        open_runner(args.task, env_cfg, agent_cfg, args, log_dir) as (env, runner),
    ):
        runner.add_git_repo_to_log(__file__)
        exact = start is not None and start.load_into(runner)
        if log_dir:
            dump_yaml(os.path.join(log_dir, "params", "env.yaml"), env_cfg)
            dump_yaml(os.path.join(log_dir, "params", "agent.yaml"), agent_cfg)
        online = interface(runner.alg).split_iterations(agent_cfg.max_iterations)[1]
        env.progress = tqdm(
            total=online * agent_cfg.num_steps_per_env * env.num_envs,
            desc=f"{kind.name} env steps",
            unit="step",
            unit_scale=True,
            file=sys.stderr,
            mininterval=5.0,
        )
        started = time.time()
        try:
            runner.learn(agent_cfg.max_iterations, init_at_random_ep_len=agent_cfg.init_at_random_ep_len and not exact)
        except (ValueError, FloatingPointError) as err:
            if not isinstance(err, FloatingPointError) and "NaN" not in str(err):
                raise
            raise DistillLabError(
                f"stopped at iteration {runner.current_learning_iteration}: {err} "
                f"Last good checkpoint: {log_dir and latest_checkpoint(log_dir) or 'none yet'}."
            ) from None
        finally:
            env.progress.close()
            getattr(runner.logger.writer, "flush", lambda: None)()  # RSL-RL leaves TensorBoard's writer open
        if runner.is_distributed:
            runner.record_ranks()
        print(f"[INFO] Training time: {time.time() - started:.1f} s. Run folder: {log_dir}")
    return log_dir
