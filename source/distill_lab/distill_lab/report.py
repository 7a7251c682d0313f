"""The pipeline's report: Markdown and a self-contained HTML page with PNG plots, student against teacher."""

from __future__ import annotations

import base64
import glob
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ("mean_return", "success_rate", "final_distance", "error_vel_xy", "error_vel_yaw", "mean_length")
"""Evaluation keys shown when present (the task decides which it logs)."""


def _scalars(run_dir: str) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    files = sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*")))
    if not files:
        return {}
    acc = EventAccumulator(files[-1], size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def _plot_learning(folder: str, state: dict) -> str:
    runs = {"teacher": os.path.dirname(state["teacher"]["checkpoint"]), "student": state["student"]["run_dir"]}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for who, run_dir in runs.items():
        scalars = _scalars(run_dir)
        if "Train/mean_reward" in scalars:
            steps, values = zip(*scalars["Train/mean_reward"], strict=True)
            axes[0].plot(steps, values, label=who)
        if who == "student" and "Loss/behavior" in scalars:
            steps, values = zip(*scalars["Loss/behavior"], strict=True)
            axes[1].plot(steps, values, c="C1")
    axes[0].set(xlabel="iteration", ylabel="mean episode reward (training)", title="learning curves")
    axes[0].legend()
    axes[1].set(xlabel="iteration", ylabel="behaviour loss", yscale="log", title="student behaviour loss")
    fig.tight_layout()
    path = os.path.join(folder, "learning_curves.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _plot_comparison(folder: str, evaluation: dict) -> str:
    keys = [k for k in METRICS[:5] if k in evaluation["teacher"]]
    fig, axes = plt.subplots(1, len(keys), figsize=(3 * len(keys), 3))
    for ax, key in zip(axes if len(keys) > 1 else [axes], keys, strict=True):
        ax.bar(["teacher", "student"], [evaluation["teacher"][key], evaluation["student"][key]], color=["C0", "C1"])
        ax.set_title(key)
    fig.tight_layout()
    path = os.path.join(folder, "student_vs_teacher.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(folder: str, task: str, state: dict, evaluation: dict) -> dict[str, str]:
    """Write ``report.md`` and ``report.html`` into ``folder``; return their paths."""
    plots = [_plot_comparison(folder, evaluation), _plot_learning(folder, state)]
    keys = [k for k in METRICS if k in evaluation["teacher"]]
    export = state.get("export", {})
    rows = [f"| {k} | {evaluation['teacher'][k]:.4g} | {evaluation['student'][k]:.4g} |" for k in keys]
    lines = [
        f"# {task}: student vs teacher",
        "",
        f"Student/teacher return ratio: **{evaluation['return_ratio']:.3f}** "
        f"({evaluation['student']['episodes']} student and {evaluation['teacher']['episodes']} teacher episodes, "
        f"seed {evaluation['student']['seed']}, identical initial states).",
        "",
        "| metric | teacher | student |",
        "|---|---|---|",
        *rows,
        "",
        f"- Teacher: `{state['teacher']['checkpoint']}`",
        f"- Student: `{state['student']['checkpoint']}` (trained in {state['student']['seconds']:.0f} s)",
        f"- Export: `{export.get('onnx', '')}` (parity with the in-memory policy: max |diff| "
        f"{export.get('parity_max_abs_diff', float('nan')):.1e})",
        "",
        *[f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots],
    ]
    md_path = os.path.join(folder, "report.md")
    with open(md_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    images = "".join(
        f'<p><img src="data:image/png;base64,{base64.b64encode(open(p, "rb").read()).decode()}"></p>' for p in plots
    )
    table = "".join(
        f"<tr><td>{k}</td><td>{evaluation['teacher'][k]:.4g}</td><td>{evaluation['student'][k]:.4g}</td></tr>"
        for k in keys
    )
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{task} report</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em 1em}"
        "table{border-collapse:collapse}tr:nth-child(even){background:#f2f2f2}</style></head><body>"
        f"<h1>{task}: student vs teacher</h1>"
        f"<p>Student/teacher return ratio: <b>{evaluation['return_ratio']:.3f}</b></p>"
        f"<table><tr><th>metric</th><th>teacher</th><th>student</th></tr>{table}</table>{images}</body></html>"
    )
    html_path = os.path.join(folder, "report.html")
    with open(html_path, "w") as f:
        f.write(html)
    return {"markdown": md_path, "html": html_path}
