"""Ship a trained teacher with the package: a small checkpoint plus a card saying how it was made and how good it is.

    python scripts/ship_teacher.py --task Quadcopter-Point-Ctrl --run logs/rsl_rl/quadcopter_point_ctrl/<run> \
        --checkpoint model_850.pt --command "python scripts/rsl_rl/train.py --task Quadcopter-Point-Ctrl ..." \
        [--eval eval.json] [--trained_on "2-core CPU, kit-less Newton"]

Writes source/distill_lab/distill_lab/pretrained/<experiment>/teacher.pt and teacher.json (with --student, a distilled
student's student.pt and student.json: ``play.py --agent <its entry point> --checkpoint pretrained`` plays it). The
checkpoint keeps RSL-RL's format (actor_state_dict, critic_state_dict, iter, infos; a student's student_state_dict and
teacher_state_dict); the optimizer state is dropped when the file would exceed 1 MB. The card records the command, the
commit the run was made at (RSL-RL's git log in the run folder), the training wall time (from the TensorBoard log; a run
resumed with ``--resume --load_run`` adds the runs it resumed from, up to the checkpoint each handed on, found through
their ``params/agent.yaml``) and the evaluation metrics.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re

import torch
import yaml

from distill_lab.evaluation.report import read_scalars
from distill_lab.io import read_json, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_BYTES = 1 << 20


def resumed_chain(run: str) -> list[tuple[str, int | None]]:
    """``(run folder, last iteration used)`` of ``run`` and of each run it resumed from, oldest first (the last
    iteration of ``run`` itself is None: all of it)."""
    chain = [(run, None)]
    while True:
        agent = yaml.load(open(os.path.join(chain[0][0], "params", "agent.yaml")), Loader=yaml.FullLoader)  # tuples too
        if not agent.get("resume"):
            return chain
        previous = os.path.join(os.path.dirname(chain[0][0]), str(agent["load_run"]))
        if not os.path.isdir(previous):
            raise SystemExit(
                f"ship_teacher: {chain[0][0]} resumed from run '{agent['load_run']}', not found next to it."
            )
        chain.insert(0, (previous, int(re.findall(r"\d+", agent["load_checkpoint"])[-1])))


def training_time(chain: list[tuple[str, int | None]], scalar: str) -> tuple[float, float]:
    """Wall time summed over a resumed chain (each run up to the iteration it handed on), and the last value of
    ``scalar``."""
    total = 0.0
    for run, last in chain:
        rows = [r for r in read_scalars(run)[scalar] if last is None or r[1] <= last]
        total += rows[-1][0] - rows[0][0]
    return total, rows[-1][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", required=True)
    parser.add_argument("--run", required=True, help="Run folder of the teacher.")
    parser.add_argument("--checkpoint", required=True, help="Checkpoint file name in the run folder.")
    parser.add_argument("--command", required=True, help="The exact command that trained the run.")
    parser.add_argument("--eval", default=None, help="JSON from scripts/rsl_rl/evaluate.py for this checkpoint.")
    parser.add_argument("--note", default=None, help="Anything the card should add about how the run was made.")
    parser.add_argument("--trained_on", default="2-core CPU (x86_64), kit-less Isaac Lab 3.0 on Newton MuJoCo-Warp")
    parser.add_argument("--student", action="store_true", help="Ship a distilled student (student.pt), not a teacher.")
    args = parser.parse_args()
    run = os.path.abspath(args.run)
    ckpt = torch.load(os.path.join(run, args.checkpoint), map_location="cpu", weights_only=True)
    git = open(glob.glob(os.path.join(run, "git", "*.diff"))[0]).read()
    commit = git.split("--- git commit ---")[1].split()[0]
    scalar = "Train/mean_reward" if read_scalars(run).get("Train/mean_reward") else "Loss/behavior"
    chain = resumed_chain(run)  # everything is read before the shipped files are replaced
    wall_time, final = training_time(chain, scalar)
    experiment = os.path.basename(os.path.dirname(run))
    out_dir = os.path.join(ROOT, "source", "distill_lab", "distill_lab", "pretrained", experiment)
    os.makedirs(out_dir, exist_ok=True)
    role = "student" if args.student else "teacher"
    out = os.path.join(out_dir, f"{role}.pt")
    torch.save(ckpt, out)
    if os.path.getsize(out) > MAX_BYTES:
        keys = (
            ("student_state_dict", "teacher_state_dict") if args.student else ("actor_state_dict", "critic_state_dict")
        )
        ckpt = {k: ckpt[k] for k in (*keys, "iter")} | {"infos": None}
        torch.save(ckpt, out)
    card = {
        "task": args.task,
        "file": f"{role}.pt",
        "bytes": os.path.getsize(out),
        "keys": sorted(ckpt),
        "iteration": ckpt["iter"],
        "command": args.command,
        "source_checkpoint": os.path.relpath(os.path.join(run, args.checkpoint), ROOT),
        "commit": commit,
        "uncommitted_changes_at_training": bool(git.split("--- git diff ---")[-1].strip()),
        "trained_on": args.trained_on,
        "training_wall_time_s": wall_time,
        "resumed_from": [f"{os.path.relpath(r, ROOT)}/model_{i}.pt" for r, i in chain[:-1]],
        "final_train_mean_reward" if scalar == "Train/mean_reward" else "final_behavior_loss": final,
        "evaluation": [
            {
                **{k: v for k, v in row.items() if k != "trajectory"},
                "checkpoint": os.path.relpath(row["checkpoint"], ROOT),
            }
            for row in read_json(args.eval, "evaluation")
        ]
        if args.eval
        else None,
        "note": args.note,
    }
    print(json.dumps(card, indent=2))
    write_json(os.path.join(out_dir, f"{role}.json"), card)


if __name__ == "__main__":
    main()
