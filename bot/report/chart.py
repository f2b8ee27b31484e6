"""The timeline chart (PNG): phases as bars, actual against target, with gates, escalations and the rollback."""

from __future__ import annotations

import io
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # headless: no display, no GUI toolkit

from matplotlib.figure import Figure  # noqa: E402  - after the backend is chosen

from cutover.report.model import Report  # noqa: E402

ACTUAL, TARGET, OVER, ROLLBACK = "#1565c0", "#bbdefb", "#c62828", "#ef6c00"


def timeline_png(report: Report, labels: dict[str, str]) -> bytes:
    """The chart as PNG bytes; `labels` holds its texts (rendered from a template)."""
    s = report.summary
    origin = s.started_at
    rows = [p for p in report.phases if p.start is not None]
    figure = Figure(figsize=(12, 1.9 + 0.45 * max(len(rows) + len(report.rollbacks), 1)), dpi=100)
    axes = figure.add_subplot()
    if origin is None:
        axes.text(0.5, 0.5, labels["not_started"], ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return _png(figure)
    end = s.ended_at or _last(report) or origin

    def minutes(t: datetime) -> float:
        return (t - origin).total_seconds() / 60

    # an unfinished phase stopped when the first rollback was ordered (or runs to the end)
    halted = report.rollbacks[0].ordered_at if report.rollbacks else end
    names: list[str] = []
    legend: set[str] = set()

    def once(key: str) -> str | None:
        if key in legend:
            return None
        legend.add(key)
        return labels[key]

    for y, phase in enumerate(rows):
        if phase.start is None:  # filtered out above (said again for the type checker)
            continue
        start, stop = minutes(phase.start), minutes(phase.end or max(halted, phase.start))
        if phase.target is not None:
            axes.barh(
                y,
                phase.target.total_seconds() / 60,
                left=start,
                height=0.7,
                color=TARGET,
                edgecolor=ACTUAL,
                linestyle="--",
                label=once("target"),
            )
        late = phase.over_by or phase.status == "failed"
        axes.barh(
            y,
            max(stop - start, 0.05),
            left=start,
            height=0.35,
            color=OVER if late else ACTUAL,
            label=once("late") if late else once("actual"),
        )
        names.append(f"{phase.id} {phase.title}")
    for offset, rollback in enumerate(report.rollbacks):
        y = len(rows) + offset
        start = minutes(rollback.ordered_at)
        stop = minutes(rollback.ended_at or end)
        axes.barh(
            y,
            rollback.rto.total_seconds() / 60,
            left=start,
            height=0.7,
            color="#ffe0b2",
            edgecolor=ROLLBACK,
            linestyle="--",
        )
        axes.barh(y, max(stop - start, 0.05), left=start, height=0.35, color=ROLLBACK, label=once("rollback"))
        axes.axvspan(start, stop, color=ROLLBACK, alpha=0.08)
        names.append(f"{rollback.procedure} {rollback.name} rollback")
    approved = [g for g in report.gates if g.decided_at is not None]
    for index, gate in enumerate(approved):
        if gate.decided_at is None:
            continue
        x = minutes(gate.decided_at)
        axes.axvline(x, color="#2e7d32", linestyle=":", linewidth=1, label=once("gate"))
        axes.annotate(
            f"G{gate.number}",
            (x, 1.0 + 0.045 * (index % 2)),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#2e7d32",
        )
    for begun, ended in report.pauses:
        axes.axvspan(minutes(begun), minutes(ended or end), color="#9e9e9e", alpha=0.25, label=once("paused"))
    axes.axvline(
        s.target_duration.total_seconds() / 60,
        color="#616161",
        linestyle="--",
        linewidth=1,
        label=once("target_end"),
    )
    escalations = [minutes(x.at) for x in report.escalations if origin <= x.at <= end]
    if escalations:
        axes.scatter(
            escalations,
            [-0.45] * len(escalations),
            marker="v",
            color=OVER,
            zorder=3,
            label=once("escalation"),
        )
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(labels["x"])
    axes.set_title(labels["title"], fontsize=10, pad=22)
    axes.grid(axis="x", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, borderaxespad=0)  # beside the bars
    figure.tight_layout()
    return _png(figure)


def _last(report: Report) -> datetime | None:
    return report.timeline[-1].at if report.timeline else None


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
