"""Train a PPO teacher or distill a student with RSL-RL on a distill_lab task (kit-less Isaac Lab on Newton).

Teacher:  python scripts/rsl_rl/train.py --task Quadcopter-Point-Ctrl
Student:  python scripts/rsl_rl/train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_distillation_cfg_entry_point \
              --load_run <teacher_run> --checkpoint model_299.pt        (or --teacher_checkpoint PATH)
Offline BC: python scripts/rsl_rl/train.py --task Quadcopter-Point-Ctrl --agent rsl_rl_bc_cfg_entry_point \
              --dataset teacher_data.pt        (record it with scripts/rsl_rl/collect.py)
Hydra overrides go at the end: env.scene.num_envs=64 agent.max_iterations=10
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime

import cli_args

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
cli_args.add_common_args(parser)
parser.add_argument("--max_iterations", type=int, default=None, help="Number of learning iterations.")
parser.add_argument("--dataset", type=str, default=None, help="Teacher dataset for offline BC (collect.py writes one).")
cli_args.add_rsl_rl_args(parser)
args_cli, hydra_args = parser.parse_known_args()
sys.argv = [sys.argv[0]] + hydra_args

import gymnasium as gym  # noqa: E402

import distill_lab  # noqa: E402, F401
from distill_lab.utils import (  # noqa: E402
    DistillLabError,
    check_state_dict,
    check_student_observations,
    hydra_task_config,
    load_checkpoint,
    make_runner,
    run_cli,
    simulation,
    teacher_state_dict,
)


def checkpoint_to_load(agent_cfg) -> tuple[str | None, str | None]:
    """``(path, kind)``: the run to resume, the teacher to distill from, or nothing (a fresh teacher)."""
    args = args_cli
    if args.resume:
        return cli_args.checkpoint_from_args(args, agent_cfg.experiment_name), "resume"
    if hasattr(agent_cfg, "student_experiment_name"):  # RL fine-tuning starts from a distilled student
        return cli_args.checkpoint_from_args(args, agent_cfg.student_experiment_name), "student"
    if not hasattr(agent_cfg, "teacher"):  # a PPO teacher; distillation, offline BC and PPD have a teacher model
        return None, None
    if args.teacher_checkpoint == "pretrained":
        from distill_lab.pretrained import pretrained_teacher

        return pretrained_teacher(args.task), "teacher"
    if args.teacher_checkpoint:
        return args.teacher_checkpoint, "teacher"
    if args.load_run or args.checkpoint:
        from isaaclab_tasks.utils import load_cfg_from_registry

        teacher_exp = load_cfg_from_registry(args.task, "rsl_rl_cfg_entry_point").experiment_name
        return cli_args.checkpoint_from_args(args, teacher_exp), "teacher"
    if hasattr(agent_cfg.algorithm, "dataset_path"):
        return None, None  # offline BC learns from its dataset; only DAgger rounds after it need a teacher
    raise DistillLabError(
        "distillation needs a teacher. Give --teacher_checkpoint PATH, or --load_run <teacher run> "
        "--checkpoint model_N.pt to take it from logs/rsl_rl/<teacher experiment>/ (train one with "
        f"'python scripts/rsl_rl/train.py --task {args.task}')."
    )


def check_writable(log_dir: str) -> None:
    """Create the run folder and write a probe file, or stop before any training with a clear error."""
    try:
        os.makedirs(log_dir, exist_ok=True)
        probe = os.path.join(log_dir, ".write_test")
        with open(probe, "w") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as err:
        raise DistillLabError(
            f"cannot write to the log directory {log_dir} ({err.strerror or err}). Run from a writable working "
            "directory: runs go to ./logs/rsl_rl/<experiment>/."
        ) from None


@hydra_task_config(args_cli.task, args_cli.agent)
def main(env_cfg, agent_cfg):
    from isaaclab.utils.io import dump_yaml

    from distill_lab.distillation.runners import latest_checkpoint
    from distill_lab.utils.guards import FiniteCheckedVecEnv

    cli_args.apply_args(env_cfg, agent_cfg, args_cli)
    if args_cli.dataset:
        if not hasattr(agent_cfg.algorithm, "dataset_path"):
            raise DistillLabError(
                f"--dataset is for offline BC; use --agent rsl_rl_bc_cfg_entry_point, not {args_cli.agent}."
            )
        agent_cfg.algorithm.dataset_path = os.path.abspath(args_cli.dataset)
    check_student_observations(env_cfg, agent_cfg)
    load_path, load_kind = checkpoint_to_load(agent_cfg)
    ckpt = load_checkpoint(load_path) if load_path else None
    if load_kind == "teacher":
        teacher_state = teacher_state_dict(ckpt, load_path)
    if load_kind == "student" and "student_state_dict" not in ckpt:
        raise DistillLabError(
            f"{load_path} holds no distilled student (keys {sorted(ckpt)}); fine-tuning starts from a distillation "
            "checkpoint (train.py --agent rsl_rl_dagger_cfg_entry_point writes one)."
        )

    log_root = os.path.abspath(os.path.join("logs", "rsl_rl", agent_cfg.experiment_name))
    run_name = datetime.now().strftime("%Y-%m-%d_%H-%M-%S") + (f"_{agent_cfg.run_name}" if agent_cfg.run_name else "")
    log_dir = os.path.join(log_root, run_name)
    print(f"[INFO] Logging experiment in directory: {log_dir}")
    check_writable(log_dir)
    env_cfg.log_dir = log_dir

    with simulation(env_cfg, agent_cfg.device):
        env = gym.make(args_cli.task, cfg=env_cfg)
        env = FiniteCheckedVecEnv(env, clip_actions=agent_cfg.clip_actions)
        runner = make_runner(env, agent_cfg, log_dir)
        runner.add_git_repo_to_log(__file__)
        if load_kind == "teacher":
            check_state_dict(runner.alg.teacher, teacher_state, f"teacher checkpoint {load_path}")
            print(f"[INFO] Loading teacher from: {load_path}")
        elif load_kind == "student":
            check_state_dict(runner.alg.actor, ckpt["student_state_dict"], f"student checkpoint {load_path}")
            print(f"[INFO] Fine-tuning the student from: {load_path}")
        elif load_kind == "resume":
            print(f"[INFO] Resuming from: {load_path}")
        if load_path:
            runner.load(load_path, map_location=agent_cfg.device)
        exact_resume = load_kind == "resume" and runner.load_resume_state(load_path)
        dump_yaml(os.path.join(log_dir, "params", "env.yaml"), env_cfg)
        dump_yaml(os.path.join(log_dir, "params", "agent.yaml"), agent_cfg)
        start = time.time()
        try:
            runner.learn(num_learning_iterations=agent_cfg.max_iterations, init_at_random_ep_len=not exact_resume)
        except (ValueError, FloatingPointError) as err:
            if not isinstance(err, FloatingPointError) and "NaN" not in str(err):
                raise
            raise DistillLabError(
                f"stopped at iteration {runner.current_learning_iteration}: {err} "
                f"Last good checkpoint: {latest_checkpoint(log_dir) or 'none yet'}."
            ) from None
        print(f"[INFO] Training time: {time.time() - start:.1f} s. Run folder: {log_dir}")
        env.close()


if __name__ == "__main__":
    run_cli(main)
