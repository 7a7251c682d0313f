"""Benchmark: distillation methods side by side, from one teacher, with the same seed and env-step budget.

    python bench/distill_methods.py --task Quadcopter-Point-Ctrl --teacher logs/rsl_rl/<teacher run>/model_850.pt \
        [--methods stock dagger dagger_kl mlp] [--iterations 60] [--num_envs 512] [--eval_every 10]

Each method trains with scripts/rsl_rl/train.py (a checkpoint every --eval_every iterations); every checkpoint and the
teacher are then played by scripts/rsl_rl/evaluate.py on the same seed and initial states (256 envs, one episode).
A two-stage method (CHAINS) distills for a quarter of --iterations, then fine-tunes its student with PPO for another.
Several bench processes with the same teacher, seed and budget may run at once: each adds its methods to the file.
Writes bench/results/distill_methods_<task>.json and .png: student/teacher return ratio and success against env
steps, env steps to reach 95 % of the teacher's return, and wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPLAY = ["agent.algorithm.buffer_capacity=8", "agent.algorithm.num_learning_epochs=4",
          "agent.algorithm.num_mini_batches=8"]  # fmt: skip
"""DAgger overrides for more gradient steps per env step: 8 rollouts kept, 32 mini-batch updates per iteration."""
METHODS = {
    "stock": ("rsl_rl_distillation_cfg_entry_point", []),
    "dagger": ("rsl_rl_dagger_cfg_entry_point", []),
    "dagger_kl": ("rsl_rl_dagger_cfg_entry_point", ["agent.algorithm.loss_type=kl"]),
    "dagger_replay": ("rsl_rl_dagger_cfg_entry_point", REPLAY),
    "ppd": ("rsl_rl_ppd_cfg_entry_point", []),
    "mlp": ("rsl_rl_distillation_mlp_cfg_entry_point", []),
    "dagger_mlp": ("rsl_rl_dagger_mlp_cfg_entry_point", []),
}
"""Method name -> (agent entry point, Hydra overrides)."""
CHAINS = {
    "dagger_replay_ft": ("dagger_replay", ("rsl_rl_finetune_cfg_entry_point", [])),
}
"""Two-stage methods: name -> (distillation method, (follow-up agent, overrides)). The distillation trains a quarter
of --iterations, then PPO fine-tunes its student (critic warm-up first) for another quarter: half the budget."""


def run(script: str, *args: str) -> str:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "rsl_rl", script), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True)  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"{script} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def evaluate(task: str, agent: str, checkpoints: list[str], seed: int, overrides: list[str]) -> list[dict]:
    out = run("evaluate.py", "--task", task, "--agent", agent, "--checkpoints", *checkpoints, "--num_envs", "256",
              "--seed", str(seed), "--no_profile", *overrides)  # fmt: skip
    return [json.loads(line.split("[RESULT] ")[1]) for line in out.splitlines() if line.startswith("[RESULT] ")]


def train_and_evaluate(args, name: str, agent: str, overrides: list[str], iterations: int, extra: list[str],
                       offset: int, teacher_eval: dict) -> tuple[list[dict], str, str, float]:  # fmt: skip
    """Train ``iterations`` (a checkpoint every --eval_every) and evaluate every checkpoint; iterations are counted
    from ``offset`` (an earlier stage). Returns the curve, the run folder, the last checkpoint and the training time."""
    start = time.time()
    log = run("train.py", "--task", args.task, "--agent", agent, "--num_envs", str(args.num_envs), "--max_iterations",
              str(iterations), "--seed", str(args.seed), "--run_name", f"bench_{name}_{int(time.time())}",
              f"agent.save_interval={args.eval_every}", *extra, *overrides)  # fmt: skip
    wall = time.time() - start
    run_dir = re.search(r"Run folder: (\S+)", log).group(1)
    ckpts = sorted((f for f in os.listdir(run_dir) if re.fullmatch(r"model_\d+\.pt", f)),
                   key=lambda f: int(f[6:-3]))  # fmt: skip
    steps_per_it = int(re.search(r"Total steps: (\d+)", log).group(1))  # first log line: after iteration 0
    evals = evaluate(args.task, agent, [os.path.join(run_dir, f) for f in ckpts], args.seed, overrides)
    curve = []
    for f, e in zip(ckpts, evals, strict=True):
        it = offset + int(f[6:-3]) + 1
        curve.append({"iteration": it, "env_steps": it * steps_per_it, **e,
                      "return_ratio": e["mean_return"] / teacher_eval["mean_return"]})  # fmt: skip
    return curve, run_dir, os.path.join(run_dir, ckpts[-1]), wall


def load_compatible(out: str, teacher: str, args) -> dict:
    """The results file if it was measured with the same teacher, seed and budget, else {} (several bench processes
    may share a file)."""
    if not os.path.exists(out + ".json"):
        return {}
    old = json.load(open(out + ".json"))
    same = (old["teacher"], old["seed"], old["num_envs"], old["iterations"]) == (teacher, args.seed, args.num_envs,
                                                                               args.iterations)  # fmt: skip
    return old if same else {}


def save(out: str, teacher: str, teacher_eval: dict, args, results: dict) -> None:
    """Write the JSON result (after every method, so a later failure keeps what was measured)."""
    results.update(
        {k: v for k, v in load_compatible(out, teacher, args).get("methods", {}).items() if k not in results}
    )
    summary = {
        "benchmark": "distill_methods",
        "task": args.task,
        "teacher": teacher,
        "teacher_eval": teacher_eval,
        "seed": args.seed,
        "num_envs": args.num_envs,
        "iterations": args.iterations,
        "methods": results,
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".json", "w") as f:
        json.dump(summary, f, indent=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="Quadcopter-Point-Ctrl")
    parser.add_argument("--teacher", required=True, help="PPO teacher checkpoint.")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=[*METHODS, *CHAINS])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--num_envs", type=int, default=512)
    parser.add_argument("--eval_every", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    teacher = os.path.abspath(args.teacher)
    out = os.path.join(ROOT, "bench", "results", f"distill_methods_{args.task}")
    teacher_eval = (
        load_compatible(out, teacher, args).get("teacher_eval")
        or evaluate(args.task, "rsl_rl_cfg_entry_point", [teacher], args.seed, [])[0]
    )
    print(f"teacher: return {teacher_eval['mean_return']:.2f}, success {teacher_eval.get('success_rate')}")
    results = {}
    for name in args.methods:
        first, then = (name, None) if name in METHODS else CHAINS[name]
        agent, overrides = METHODS[first]
        n_first = args.iterations if then is None else args.iterations // 4
        curve, run_dir, last, wall = train_and_evaluate(args, name, agent, overrides, n_first,
                                                        ["--teacher_checkpoint", teacher], 0, teacher_eval)  # fmt: skip
        stages = [{"agent": agent, "overrides": overrides, "iterations": n_first, "run_dir": run_dir}]
        if then is not None:  # RL fine-tuning of the distilled student, for another quarter of the budget
            agent, overrides = then
            more, run_dir, _, more_wall = train_and_evaluate(args, name + "_ft", agent, overrides, args.iterations // 4,
                                                  ["--checkpoint", last], n_first, teacher_eval)  # fmt: skip
            curve, wall = curve + more, wall + more_wall
            stages.append({"agent": agent, "overrides": overrides, "iterations": args.iterations // 4,
                           "run_dir": run_dir, "from": last})  # fmt: skip
        hit = next((c["env_steps"] for c in curve if c["return_ratio"] >= 0.95), None)
        results[name] = {"agent": stages[0]["agent"], "overrides": stages[0]["overrides"], "train_wall_time_s": wall,
                         "run_dir": run_dir, "stages": stages, "env_steps_to_95pct_return": hit, "final": curve[-1],
                         "curve": curve}  # fmt: skip
        save(out, teacher, teacher_eval, args, results)
        print(f"{name}: final ratio {curve[-1]['return_ratio']:.3f}, success {curve[-1].get('success_rate')}, "
              f"95% at {hit} env steps, {wall:.0f} s")  # fmt: skip
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for name, r in results.items():
        xs = [c["env_steps"] / 1e6 for c in r["curve"]]
        ax[0].plot(xs, [c["return_ratio"] for c in r["curve"]], marker="o", label=name)
        ax[1].plot(xs, [c.get("success_rate", float("nan")) for c in r["curve"]], marker="o", label=name)
    ax[0].axhline(0.95, ls="--", c="gray")
    ax[0].set(xlabel="env steps [M]", ylabel="student / teacher return", title=args.task)
    ax[1].axhline(teacher_eval.get("success_rate", float("nan")), ls="--", c="k", label="teacher")
    ax[1].set(xlabel="env steps [M]", ylabel="success rate")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=100)
    print(f"wrote {out}.json and .png")


if __name__ == "__main__":
    main()
