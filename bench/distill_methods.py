"""Benchmark: distillation methods from one teacher at equal env steps, over several training seeds.

    python bench/distill_methods.py --task Quadcopter-Point-Ctrl --methods stock stock_e8 dagger --seeds 1 2 3 \\
        [--iterations 60] [--num_envs 512] [--eval_every 10] [--eval_envs 256] [--teacher pretrained] [--name NAME]

Each (method, seed) trains with distill_lab's train command from the same teacher on the same number of envs; every
``--eval_every`` iterations its checkpoint is evaluated by the evaluate command on the same seed and initial states
(``--eval_envs`` envs, one episode). The env steps, gradient updates (optimizer steps) and training wall time behind
each checkpoint come from the run's ``manifest.json``, with where that time went (each point's ``time_s``: env
stepping, acting, labelling, the update's forward and backward passes, the buffer, checkpointing, evaluation; printed
at the end). Per method the file holds, at each point of the curve, the mean
and spread (std) over seeds of the student/teacher return ratio and the success rate, and the env steps, updates and
wall time to reach 90 % and 95 % of the teacher's return (mean and std over the seeds that reached it, and how many).
A chained method (:data:`CHAINS`) distills for a quarter of ``--iterations``, then PPO fine-tunes the student for
another quarter. Finished (method, seed) pairs are kept in the file and skipped on a rerun with the same settings, so a
long campaign can be split over several runs; several processes may add to one file. The command written into the
file measures every method and seed it holds.
Run it from the repository root (runs go to ./logs). Writes ``bench/results/<name>.json`` and ``.png`` (default
name: ``distill_methods_<task>``; ``--results`` moves them).
"""

from __future__ import annotations

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if __package__ in (None, ""):  # run as python bench/<name>.py: the repository root on the path, as with -m
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import (
    DAGGER,
    RESULTS,
    ROOT,
    curve_summary,
    dagger_base,
    evaluate_teacher,
    relative,
    stage,
    time_table,
    write_result,
)
from distill_lab.io import read_json  # noqa: E402
from distill_lab.pretrained import pretrained_teacher  # noqa: E402

DISTILL = "rsl_rl_distillation_cfg_entry_point"
FEATURE, LATENT = "rsl_rl_feature_cfg_entry_point", "rsl_rl_latent_cfg_entry_point"
REPLAY = dagger_base(
    "agent.algorithm.buffer_capacity=8", "agent.algorithm.num_learning_epochs=4", "agent.algorithm.num_mini_batches=8"
)
"""DAgger with more replay: 8 rollouts kept, 4 epochs of 8 minibatches (32 updates per iteration)."""
SMALL_BATCHES = dagger_base(
    "agent.algorithm.buffer_capacity=8", "agent.algorithm.num_learning_epochs=1", "agent.algorithm.num_mini_batches=32"
)
"""DAgger's replay (8 rollouts, 32 updates per iteration) at a quarter of the cost: one pass over the buffer in 32
minibatches (a full buffer: 128 env-sequences each, not 512), as many sequence passes per iteration as stock_e8."""
SHORT_FORCING = ["agent.algorithm.teacher_forcing_iterations=2", "agent.algorithm.beta_decay_iterations=8"]
"""The teacher forces 2 iterations (not 10) and hands over within 8 more (not 20)."""
LR_DECAY = ["agent.algorithm.learning_rate_schedule=linear", "agent.algorithm.final_learning_rate=1e-4"]
"""The learning rate falling linearly from 1e-3 to 1e-4 over the run (``_late_lr``: over its last third)."""
FAST = dagger_base(
    *SMALL_BATCHES,
    *SHORT_FORCING,
    *LR_DECAY,
    "agent.algorithm.learning_rate_decay_fraction=0.5",
    "agent.algorithm.num_learning_epochs=2",
    "agent.algorithm.asynchronous=true",
)
"""The previous default: two passes over the 8-rollout buffer in 32 minibatches (64 updates per iteration on 128
env-sequences each), the short forcing, the learning rate falling to 1e-4 over the second half of the run, learning
while the envs collect."""
LEAN = dagger_base(*FAST, "agent.algorithm.num_learning_epochs=1", "agent.algorithm.learning_rate=2e-3")
"""The entry point's default (``DAGGER_BEST``): :data:`FAST` in one pass (32 updates per iteration) at a learning rate
of 2e-3 (falling to 1e-4 over the second half of the run)."""
METHODS: dict[str, tuple[str, list[str]]] = {
    "stock": (DISTILL, []),
    **{
        f"stock_e{e}{lr}": (
            DISTILL,
            [f"agent.algorithm.num_learning_epochs={e}"] + ([f"agent.algorithm.learning_rate={lr[3:]}"] if lr else []),
        )
        for e in (2, 8, 32)
        for lr in ("", "_lr3e-3")
    },
    "stock_mlp": ("rsl_rl_distillation_mlp_cfg_entry_point", []),
    "dagger": (DAGGER, dagger_base()),
    "dagger_kl": (DAGGER, dagger_base("agent.algorithm.loss_type=kl")),
    "dagger_no_forcing": (
        DAGGER,
        dagger_base("agent.algorithm.teacher_forcing_iterations=0", "agent.algorithm.beta_decay_iterations=0"),
    ),
    "dagger_no_aggregation": (DAGGER, dagger_base("agent.algorithm.buffer_capacity=1")),
    "dagger_replay": (DAGGER, REPLAY),
    "dagger_async": (DAGGER, dagger_base("agent.algorithm.asynchronous=true")),
    "dagger_replay_async": (DAGGER, dagger_base(*REPLAY, "agent.algorithm.asynchronous=true")),
    "dagger_fast": (DAGGER, FAST),
    "dagger_lean": (DAGGER, LEAN),  # the entry point's
    "dagger_replay_lr": (DAGGER, dagger_base(*REPLAY, *LR_DECAY)),
    "dagger_replay_b16": (DAGGER, dagger_base(*REPLAY, "agent.algorithm.buffer_capacity=16")),
    "dagger_replay_b32": (DAGGER, dagger_base(*REPLAY, "agent.algorithm.buffer_capacity=32")),
    "dagger_replay_late_lr": (
        DAGGER,
        dagger_base(*REPLAY, *LR_DECAY, "agent.algorithm.learning_rate_decay_fraction=0.33"),
    ),
    "dagger_replay_lr2e-3": (DAGGER, dagger_base(*REPLAY, "agent.algorithm.learning_rate=2e-3")),
    "dagger_replay_mb128": (DAGGER, SMALL_BATCHES),
    "dagger_replay_mb128_fast": (DAGGER, dagger_base(*SMALL_BATCHES, *SHORT_FORCING)),
    "dagger_mlp": ("rsl_rl_dagger_mlp_cfg_entry_point", []),
    "dagger_tiny": ("rsl_rl_dagger_tiny_cfg_entry_point", []),
    "ppd": ("rsl_rl_ppd_cfg_entry_point", []),
    "feature": (FEATURE, []),
    "feature_cos": (FEATURE, ["agent.algorithm.feature_loss=cosine"]),
    "latent": (LATENT, []),
    "latent_action_only": (LATENT, ["agent.algorithm.feature_coef=0"]),
    "latent_teacher_head": (LATENT, ["agent.algorithm.head=teacher", "agent.student.hidden_dims=[128,128]"]),
}
"""Method name -> (agent entry point, Hydra overrides). ``stock_e<E>[_lr3e-3]``: stock with E epochs (lr 3e-3).
``latent*`` need the latent teacher (``--teacher_agent rsl_rl_latent_teacher_cfg_entry_point``); ``latent_action_only``
is action-only DAgger with the same student and teacher (the latent loss weighted 0); ``latent_teacher_head`` takes
the teacher's frozen head (the quadcopter's: 128, 128)."""
CHAINS = {"dagger_replay_ft": ("dagger_replay", ("rsl_rl_finetune_cfg_entry_point", []))}
"""Two-stage methods: name -> (distillation method, (fine-tuning agent, overrides))."""
QUICK = [
    "--methods",
    "stock",
    "dagger",
    "--seeds",
    "1",
    "2",
    "--iterations",
    "2",
    "--num_envs",
    "16",
    "--eval_every",
    "1",
    "--eval_envs",
    "8",
    "env.episode_length_s=1",
]
"""``--quick``: a smoke run at tiny sizes (CI)."""


TEACHER = "rsl_rl_cfg_entry_point"
"""The PPO entry point of the default teacher."""
FIXED = ("task", "teacher", "env_overrides")
"""Settings the regenerating command writes otherwise than ``--<key>=<value>``."""


def method(spec: str) -> tuple[str, list[str], tuple | None]:
    """``(agent, overrides, then)`` of a method spec: a name of :data:`METHODS` or :data:`CHAINS`, optionally followed
    by Hydra overrides of its first stage, e.g. ``dagger+agent.algorithm.loss_type=kl``."""
    name, *extra = spec.split("+")
    first, then = (name, None) if name in METHODS else CHAINS[name]
    agent, overrides = METHODS[first]
    return agent, [*overrides, *extra], then


def method_spec(spec: str) -> str:
    """argparse type of a method spec: refuse an unknown name."""
    if spec.split("+")[0] not in METHODS | CHAINS:
        raise argparse.ArgumentTypeError(f"unknown method '{spec}': expected one of {', '.join([*METHODS, *CHAINS])}")
    return spec


def run_method(args, name: str, seed: int, teacher: str, teacher_return: float) -> list[dict]:
    """One seed of a method: its curve, with each point's return ratio; chained stages add up their costs."""
    agent, overrides, then = method(name)
    n = args.iterations if then is None else args.iterations // 4
    curve = stage(args, name, seed, agent, overrides, n, ["--teacher_checkpoint", teacher])
    if then is not None:
        last = os.path.join(ROOT, curve[-1]["run"], f"model_{curve[-1]['iteration'] - 1}.pt")
        more = stage(args, name + "_ft", seed, *then, n, ["--checkpoint", last])
        for point in more:
            for key in ("iteration", "env_steps", "gradient_updates", "wall_time_s"):
                point[key] += curve[-1][key]
        curve += more
    for point in curve:
        point["return_ratio"] = point["mean_return"] / teacher_return
    return curve


def plot(path: str, task: str, methods: dict, teacher_eval: dict) -> None:
    """Return ratio and success against env steps: seed mean with a band of one std."""
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for name, m in methods.items():
        curve = m["summary"]["curve"]
        xs = [p["env_steps"]["mean"] / 1e6 for p in curve]
        for axis, key in zip(ax, ("return_ratio", "success_rate"), strict=True):
            mean = [p[key]["mean"] for p in curve]
            std = [p[key]["std"] for p in curve]
            axis.plot(xs, mean, marker="o", ms=3, label=f"{name} ({m['summary']['final'][key]['n']} seeds)")
            axis.fill_between(
                xs,
                [a - b for a, b in zip(mean, std, strict=True)],
                [a + b for a, b in zip(mean, std, strict=True)],
                alpha=0.2,
            )
    ax[0].axhline(0.95, ls="--", c="gray")
    ax[0].set(xlabel="env steps [M]", ylabel="student / teacher return", title=task)
    ax[1].axhline(teacher_eval.get("success_rate", float("nan")), ls="--", c="k", label="teacher")
    ax[1].set(xlabel="env steps [M]", ylabel="success rate")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--teacher", default="pretrained", help="Teacher checkpoint (default: the shipped one).")
    parser.add_argument(
        "--teacher_agent",
        default=TEACHER,
        help="The teacher's PPO entry point (its shipped "
        "checkpoint, its evaluation); rsl_rl_latent_teacher_cfg_entry_point for latent*.",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        type=method_spec,
        default=["stock", "dagger"],
        help="Method names (METHODS, CHAINS), each optionally with +override+override...",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="Training seeds.")
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_every", type=int, default=10)
    parser.add_argument("--eval_envs", type=int, default=256)
    parser.add_argument("--eval_seed", type=int, default=1, help="Seed of every evaluation (same initial states).")
    parser.add_argument("--eval_steps", type=int, default=None, help="Steps per evaluation (default: one episode).")
    parser.add_argument("--name", default=None, help="Result file name (default distill_methods_<task>).")
    parser.add_argument("--results", default=RESULTS, help="Folder of the result files (default bench/results).")
    parser.add_argument("--quick", action="store_true", help=f"Smoke run at tiny sizes: {' '.join(QUICK)}.")
    argv = sys.argv[1:] if argv is None else list(argv)
    args, env_overrides = parser.parse_known_args([*argv, *QUICK] if "--quick" in argv else argv)
    if any(not o.startswith("env.") or "=" not in o for o in env_overrides):
        parser.error(f"unknown arguments {env_overrides}: only env.* Hydra overrides may follow the flags")
    args.env_overrides = env_overrides
    name = args.name or f"distill_methods_{args.task}" + ("_quick" if args.quick else "")
    pretrained = args.teacher == "pretrained"
    teacher = pretrained_teacher(args.task, args.teacher_agent) if pretrained else os.path.abspath(args.teacher)
    setting = {
        "task": args.task,
        "teacher": relative(teacher),
        "iterations": args.iterations,
        "num_envs": args.num_envs,
        "eval_every": args.eval_every,
        "eval_envs": args.eval_envs,
        "eval_seed": args.eval_seed,
    }
    setting |= {k: v for k, v in (("eval_steps", args.eval_steps), ("env_overrides", args.env_overrides)) if v}
    if args.teacher_agent != TEACHER:
        setting["teacher_agent"] = args.teacher_agent
    path = os.path.join(args.results, f"{name}.json")
    old = read_json(path) if os.path.exists(path) else {}
    methods = old.get("methods", {}) if old.get("setting") == setting else {}
    teacher_eval = old.get("teacher_eval") if methods else None
    if teacher_eval is None:
        teacher_eval = evaluate_teacher(args, args.teacher_agent, teacher)
    for method_name in args.methods:
        runs = methods.get(method_name, {}).get("runs", {})
        for seed in args.seeds:
            if str(seed) in runs:
                print(f"{method_name} seed {seed}: measured before, kept")
                continue
            runs[str(seed)] = run_method(args, method_name, seed, teacher, teacher_eval["mean_return"])
            agent, overrides, _ = method(method_name)
            latest = read_json(path) if os.path.exists(path) else {}  # another process may have added methods or seeds
            measured = latest.get("methods", {}) if latest.get("setting") == setting else {}
            runs = {**measured.get(method_name, {}).get("runs", {}), **runs}
            methods = {**measured, **methods}
            methods[method_name] = {
                "agent": agent,
                "overrides": overrides,
                "runs": runs,
                "summary": curve_summary(runs),
            }
            seeds = sorted({int(s) for m in methods.values() for s in m["runs"]})
            everything = [
                "--task",
                args.task,
                "--teacher",
                args.teacher,
                "--methods",
                *methods,
                "--seeds",
                *map(str, seeds),
                *(f"--{k}={v}" for k, v in list(setting.items())[2:] if v is not None),
                *(["--name", args.name] if args.name else []),
            ]
            write_result(
                name,
                __file__,
                everything,
                {"setting": setting, "teacher_eval": teacher_eval, "methods": methods},
                args.results,
            )
            final = methods[method_name]["summary"]["final"]["return_ratio"]
            print(f"{method_name} seed {seed}: return ratio {final['mean']:.3f} (mean of {final['n']} seeds)")
    plot(os.path.join(args.results, f"{name}.png"), args.task, methods, teacher_eval)
    print("Where the time went (seconds, seed mean):\n" + time_table({m: methods[m] for m in args.methods}))


if __name__ == "__main__":
    main()
