"""Record teacher rollouts to a dataset for offline behaviour cloning (the teacher acts; every obs group is kept).

collect.py --task Quadcopter-Point-Ctrl --teacher_checkpoint pretrained \
    --num_envs 256 --num_steps 500 --output datasets/quadcopter_teacher.pt
The teacher is --teacher_checkpoint PATH|pretrained, --checkpoint PATH, or --load_run / --checkpoint regexes in the
teacher's experiment (default: its newest run). The layout is documented in distill_lab/io/dataset.py.
Train on it: train.py --task <task> --agent rsl_rl_bc_cfg_entry_point --dataset <output>
Hydra overrides go at the end, e.g. env.episode_length_s=5.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import torch
from tqdm import tqdm

from distill_lab.distillation.interface import interface
from distill_lab.evaluation.export import obs_layout
from distill_lab.io import DistillLabError, check_state_dict, load_checkpoint, teacher_spec, teacher_state_dict
from distill_lab.io.dataset import save_dataset
from distill_lab.runners import run_kind

from .args import make_parser
from .configs import hydra_task_config
from .resolve import experiments, find, policy_as_teacher, teacher_agent, teacher_path
from .session import open_runner

PARSER = make_parser(__doc__)
PARSER.add_argument("--num_steps", type=int, default=500, help="Steps per env to record.")
PARSER.add_argument("--output", type=str, required=True, help="Dataset file to write (.pt).")
PARSER.add_argument(
    "--action_noise",
    type=float,
    default=0.0,
    help="Std of noise on the applied action (the labels stay clean, as in DART).",
)


def git_commit() -> str:
    """The project's commit (with ``-dirty`` for local changes), or ``unknown`` outside a git checkout."""
    repo = os.path.dirname(os.path.abspath(__file__))
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def obs_group_meta(env) -> dict:
    """Each obs group's term names and sizes (:func:`~distill_lab.evaluation.export.obs_layout`)."""
    return {
        group: {"terms": [t for t, _ in terms], "term_dims": [d for _, d in terms], "dim": sum(d for _, d in terms)}
        for group, terms in obs_layout(env).items()
    }


@torch.inference_mode()
def record(env, teacher, num_steps: int, action_noise: float) -> dict:
    """Roll the teacher out for ``num_steps``; return the time-major tensors of the dataset layout."""
    n = env.num_envs
    obs = env.get_observations()
    data = {
        "obs": {g: torch.zeros(num_steps, n, obs[g].shape[-1]) for g in obs.keys()},
        "actions": torch.zeros(num_steps, n, env.num_actions),
        "applied_actions": torch.zeros(num_steps, n, env.num_actions),
        "rewards": torch.zeros(num_steps, n),
        "dones": torch.zeros(num_steps, n, dtype=torch.bool),
        "time_outs": torch.zeros(num_steps, n, dtype=torch.bool),
    }
    for t in tqdm(range(num_steps), desc="collect", unit="step", mininterval=2.0, file=sys.stderr):
        actions = teacher(obs)
        applied = actions + action_noise * torch.randn_like(actions) if action_noise > 0 else actions
        for g in obs.keys():
            data["obs"][g][t] = obs[g].cpu()
        obs, rewards, dones, extras = env.step(applied)
        teacher.reset(dones)
        data["actions"][t], data["applied_actions"][t] = actions.cpu(), applied.cpu()
        data["rewards"][t], data["dones"][t] = rewards.cpu(), dones.cpu().bool()
        if "time_outs" in extras:
            data["time_outs"][t] = extras["time_outs"].cpu().bool()
    return data


@hydra_task_config(PARSER)
def main(env_cfg, agent_cfg, args, overrides) -> str:
    """Record the teacher's rollouts; return the dataset path."""
    if args.num_steps <= 0:
        raise DistillLabError(f"--num_steps must be a positive integer, got {args.num_steps}.")
    if args.action_noise < 0:
        raise DistillLabError(f"--action_noise must be >= 0, got {args.action_noise}.")
    if args.teacher_checkpoint:
        path = teacher_path(args.teacher_checkpoint, args.task, teacher_agent(agent_cfg))
    else:  # the newest run (or --load_run / --checkpoint) of the agent's experiment, then of the teacher's
        path = find(agent_cfg, experiments(args.task, agent_cfg, run_kind(agent_cfg)))
    distills = run_kind(agent_cfg).starts_from == "teacher"  # else the agent trains the teacher: its actor records
    if distills:
        policy_as_teacher(agent_cfg, path)
    else:
        state = teacher_state_dict(load_checkpoint(path), path)
    output = os.path.abspath(args.output)

    with open_runner(args.task, env_cfg, agent_cfg, args) as (env, runner):
        if distills:
            interface(runner.alg).load_teachers([teacher_spec(path)])
            teacher = interface(runner.alg).reference
        else:
            teacher = runner.alg.get_policy()
            check_state_dict(teacher, state, f"teacher checkpoint {path}")
            teacher.load_state_dict(state)
        teacher.eval()
        print(f"[INFO] Recording teacher {path}: {env.num_envs} envs x {args.num_steps} steps -> {output}")
        # spread the envs over their episodes (as training does), so the dataset is not one synchronized phase
        env.episode_length_buf = torch.randint_like(env.episode_length_buf, high=int(env.max_episode_length))
        started = time.time()
        data = record(env, teacher, args.num_steps, args.action_noise)
        wall = time.time() - started
        if teacher.distribution is not None:
            teacher(env.get_observations(), stochastic_output=True)
            data["teacher_std"] = teacher.distribution.std[0].detach().cpu().clone()
        data["meta"] = {
            "task": args.task,
            "num_envs": env.num_envs,
            "num_steps": args.num_steps,
            "step_dt": float(env.unwrapped.step_dt),
            "seed": agent_cfg.seed,
            "obs_groups": obs_group_meta(env),
            "action_dim": env.num_actions,
            "teacher_checkpoint": path,
            "commit": git_commit(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "action_noise": args.action_noise,
            "overrides": list(overrides),
            "collect_wall_time_s": round(wall, 2),
        }
        save_dataset(output, data)
        episodes = int(data["dones"].sum())
        mean_reward = data["rewards"].mean().item()
        print(
            f"[INFO] Wrote {output} ({os.path.getsize(output) / 2**20:.1f} MiB): {env.num_envs * args.num_steps} "
            f"transitions, {episodes} episode ends, mean reward {mean_reward:.4f}/step, {wall:.1f} s."
        )
    return output
