"""The pipeline's report: Markdown and a self-contained HTML page with PNG plots, student against teacher."""

from __future__ import annotations

import base64
import glob
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from distill_lab.io import read_json  # noqa: E402

METRICS = (
    "mean_return",
    "success_rate",
    "final_distance",
    "error_vel_xy",
    "error_vel_yaw",
    "mean_length",
    "action_mae",
    "action_rmse",
)
"""Evaluation keys shown when present (the task decides which it logs; action errors are the student's)."""

PROFILE = {
    "parameters": "parameters",
    "onnx_bytes": "ONNX file [bytes]",
    "latency_ms_batch1": "latency, batch 1 [ms]",
    "latency_ms_batch1024": "latency, batch 1024 [ms]",
}
"""Deployment costs from ``evaluate.py`` (ONNX Runtime on one CPU thread) and their labels."""


def read_scalars(run_dir: str) -> dict[str, list[tuple[float, int, float]]]:
    """Every scalar a run logged to TensorBoard: tag -> [(wall time, iteration, value), ...]."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    series = {}
    for events in sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))):
        acc = EventAccumulator(events, size_guidance={"scalars": 0})
        acc.Reload()
        for tag in acc.Tags()["scalars"]:
            series.setdefault(tag, []).extend((e.wall_time, e.step, e.value) for e in acc.Scalars(tag))
    return series


def _save(fig, folder: str, name: str) -> str:
    """Write ``fig`` to ``<folder>/<name>.png``, close it, return the path."""
    fig.tight_layout()
    path = os.path.join(folder, f"{name}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _plot_learning(folder: str, state: dict) -> str:
    runs = {"teacher": os.path.dirname(state["teacher"]["checkpoint"]), "student": state["student"]["run_dir"]}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for who, run_dir in runs.items():
        scalars = read_scalars(run_dir)
        if "Train/mean_reward" in scalars:
            axes[0].plot(*zip(*[(it, v) for _, it, v in scalars["Train/mean_reward"]], strict=True), label=who)
        if who == "student" and "Loss/behavior" in scalars:
            axes[1].plot(*zip(*[(it, v) for _, it, v in scalars["Loss/behavior"]], strict=True), c="C1")
    axes[0].set(xlabel="iteration", ylabel="mean episode reward (training)", title="learning curves")
    axes[0].legend()
    axes[1].set(xlabel="iteration", ylabel="behaviour loss", yscale="log", title="student behaviour loss")
    return _save(fig, folder, "learning_curves")


def _plot_comparison(folder: str, evaluation: dict) -> str:
    keys = [k for k in METRICS[:5] if k in evaluation["teacher"]]
    fig, axes = plt.subplots(1, len(keys), figsize=(3 * len(keys), 3))
    for ax, key in zip(axes if len(keys) > 1 else [axes], keys, strict=True):
        ax.bar(["teacher", "student"], [evaluation["teacher"][key], evaluation["student"][key]], color=["C0", "C1"])
        ax.set_title(key)
    return _save(fig, folder, "student_vs_teacher")


def _plot_sweep(folder: str, evaluation: dict) -> str | None:
    sweeps = {who: evaluation[who].get("sweep") for who in ("teacher", "student")}
    if not all(sweeps.values()):
        return None
    keys = [k for k in ("mean_return", "success_rate", "error_vel_xy") if k in sweeps["teacher"]["points"][0]]
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        ax.axvspan(*sweeps["teacher"]["training_range"], color="0.9", label="training range")
        for who, sweep in sweeps.items():
            ax.plot(
                [p["value"] for p in sweep["points"]],
                [p.get(key, float("nan")) for p in sweep["points"]],
                "o-",
                label=who,
            )
        ax.set(xlabel=sweeps["teacher"]["label"], title=key)
    axes[0][0].legend()
    fig.suptitle("robustness: one parameter pinned, the rest randomized as in training")
    return _save(fig, folder, "robustness")


def _plot_trajectory(folder: str, evaluation: dict) -> str | None:
    trajectories = {who: evaluation[who].get("trajectory", {}) for who in ("teacher", "student")}
    if "position" in trajectories["teacher"]:
        actual, goal, labels = "position", "target", ("x [m]", "y [m]", "z [m]")
    elif "velocity" in trajectories["teacher"]:
        actual, goal, labels = "velocity", "command", ("forward [m/s]", "lateral [m/s]", "yaw rate [rad/s]")
    else:
        return None
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    for i, ax in enumerate(axes):
        for c, (who, traj) in enumerate(trajectories.items()):
            ax.plot([v[i] for v in traj[actual]], c=f"C{c}", label=who)
        ax.plot([v[i] for v in trajectories["teacher"][goal]], "k--", lw=1, label=goal)
        ax.set(xlabel="control step", ylabel=labels[i])
    axes[0].legend()
    fig.suptitle(f"env 0 from the same initial state: {actual} against the {goal}")
    return _save(fig, folder, "trajectory")


def _gif_html(path: str | None, alt: str = "the student playing") -> str:
    """A GIF (recorded by the pipeline's ``export`` or ``sim2sim`` stage) inline, or nothing."""
    if path is None:
        return ""
    data = base64.b64encode(open(path, "rb").read()).decode()
    return f'<p><img alt="{alt}" src="data:image/gif;base64,{data}"></p>'


def _sim2sim(folder: str, state: dict) -> tuple[list[str], str]:
    """The sim2sim stage's table (Markdown lines and HTML) and its MuJoCo GIF, or nothing where it did not run."""
    path = state.get("sim2sim", {}).get("json")
    if not path or not os.path.exists(path):
        return [], ""
    result = read_json(path, "sim2sim result")
    gif = result["roles"]["student"]["mujoco"].get("video")
    gif = gif if gif and os.path.exists(gif) else None
    title = f"Newton vs MuJoCo (`{os.path.basename(result['mjcf'])}`, same commands and start states)"
    lines = [
        f"## {title}",
        "",
        *result["table"],
        *(["", f"![the student in MuJoCo]({os.path.relpath(gif, folder)})"] if gif else []),
        "",
    ]
    rows = [line.strip("|").split("|") for line in result["table"] if line.startswith("|") and "---" not in line]
    table = "".join("<tr>" + "".join(f"<td>{c.strip()}</td>" for c in row) + "</tr>" for row in rows)
    notes = "".join(f"<li>{line[2:]}</li>" for line in result["table"] if line.startswith("- "))
    video = _gif_html(gif, "the student in MuJoCo")
    return lines, f"<h2>{title.replace('`', '')}</h2><table>{table}</table><ul>{notes}</ul>{video}"


def write_report(folder: str, task: str, state: dict, evaluation: dict) -> dict[str, str]:
    """Write ``report.md`` and ``report.html`` into ``folder``; return their paths."""
    plots = [_plot_comparison(folder, evaluation), _plot_trajectory(folder, evaluation)]
    plots = [p for p in [*plots, _plot_sweep(folder, evaluation)] if p] + [_plot_learning(folder, state)]
    keys = [k for k in METRICS if k in evaluation["teacher"] or k in evaluation["student"]]
    keys += [k for k in PROFILE if k in evaluation["student"].get("profile", {})]

    def cell(who: str, key: str) -> str:
        value = evaluation[who].get(key, evaluation[who].get("profile", {}).get(key))
        if value is None:
            return "-"
        return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"

    export = state.get("export", {})
    gif = export.get("gif")
    gif = gif if gif and os.path.exists(gif) else None
    sim_lines, sim_html = _sim2sim(folder, state)
    rows = [f"| {PROFILE.get(k, k)} | {cell('teacher', k)} | {cell('student', k)} |" for k in keys]
    lines = [
        f"# {task}: student vs teacher",
        "",
        f"Student/teacher return ratio: **{evaluation['return_ratio']:.3f}** "
        f"({evaluation['student']['episodes']} student and {evaluation['teacher']['episodes']} teacher episodes, "
        f"seed {evaluation['student']['seed']}, identical initial states; observation noise "
        f"{'as trained' if evaluation['student'].get('observation_noise', False) else 'off'}).",
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
        *([f"![the student playing]({os.path.basename(gif)})", ""] if gif else []),
        *[f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in plots],
        "",
        *sim_lines,
    ]
    md_path = os.path.join(folder, "report.md")
    with open(md_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    images = "".join(
        f'<p><img src="data:image/png;base64,{base64.b64encode(open(p, "rb").read()).decode()}"></p>' for p in plots
    )
    table = "".join(
        f"<tr><td>{PROFILE.get(k, k)}</td><td>{cell('teacher', k)}</td><td>{cell('student', k)}</td></tr>" for k in keys
    )
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{task} report</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:.2em 1em}"
        "table{border-collapse:collapse}tr:nth-child(even){background:#f2f2f2}</style></head><body>"
        f"<h1>{task}: student vs teacher</h1>"
        f"<p>Student/teacher return ratio: <b>{evaluation['return_ratio']:.3f}</b></p>"
        f"<table><tr><th>metric</th><th>teacher</th><th>student</th></tr>{table}</table>{_gif_html(gif)}{images}{sim_html}"
        "</body></html>"
    )
    html_path = os.path.join(folder, "report.html")
    with open(html_path, "w") as f:
        f.write(html)
    return {"markdown": md_path, "html": html_path}
