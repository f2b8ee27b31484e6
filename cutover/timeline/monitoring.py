"""Extended monitoring after a successful cutover (seed 6.1): checkpoints and their judgement.

Each runbook window (0-4 h every 15 min, 4-24 h hourly, 24-72 h every 4 h) has checkpoints at
completion + start + k * every, before its end. Only the latest missed checkpoint of a window
is done after a restart. A checkpoint compares the target region's metrics with the window's
thresholds; throughput is compared with the pre-cutover baseline (no baseline: "unknown").
A breach opens an escalation that pings until acknowledged or the next checkpoint is recorded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from cutover.plan.model import Runbook
from cutover.plan.sections import MonitoringWindow, Thresholds
from cutover.state import CutoverState, Status
from cutover.timeline.due import DueAction
from cutover.timeline.escalations import pings

METRICS = ("error_rate_pct", "latency_p95_ms", "throughput", "replication_lag_s")


def checkpoint_key(window: str, index: int, cutover_id: str) -> str:
    """The key of one checkpoint."""
    return f"mon:{window}:{index}:{cutover_id}"


def candidates(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """The latest checkpoint due of each window, the next one, and pings for a breach."""
    if state.status != Status.SUCCEEDED or state.ended_at is None or plan.monitoring is None:
        return []
    found: list[DueAction] = []
    for window in plan.monitoring.windows:
        found += _window(state, window, t)
    found += _breach_pings(state, plan)
    return found


def _window(state: CutoverState, window: MonitoringWindow, t: datetime) -> list[DueAction]:
    if state.ended_at is None:  # windows count from the completion
        return []
    begin, end = state.ended_at + window.start, state.ended_at + window.end
    count = -(-(window.end - window.start) // window.every)  # checkpoints strictly before the end
    data = {"window": window.name}
    if t < begin:
        return [
            DueAction(
                checkpoint_key(window.name, 0, state.cutover_id), begin, "monitoring", {**data, "index": 0}
            )
        ]
    k = min((t - begin) // window.every, count - 1)
    found = [
        DueAction(
            checkpoint_key(window.name, k, state.cutover_id),
            begin + k * window.every,
            "monitoring",
            {**data, "index": k},
        )
    ]
    if k + 1 < count and begin + (k + 1) * window.every < end:
        found.append(
            DueAction(
                checkpoint_key(window.name, k + 1, state.cutover_id),
                begin + (k + 1) * window.every,
                "monitoring",
                {**data, "index": k + 1},
            )
        )
    return found


def _breach_pings(state: CutoverState, plan: Runbook) -> list[DueAction]:
    """Pings for the latest checkpoint if it breached (a later checkpoint supersedes it)."""
    if not state.time.checkpoints:
        return []
    last = state.time.checkpoints[-1]
    if not last.breaches:
        return []
    at = state.time.checkpoint_at[last.key]
    return pings(
        state,
        plan,
        "monitoring_breach",
        last.key.rsplit(":", 1)[0],
        at,
        {"window": last.window, "breaches": list(last.breaches)},
    )


def window_named(plan: Runbook, name: str) -> MonitoringWindow:
    """A monitoring window by name."""
    windows = plan.monitoring.windows if plan.monitoring else []
    return next(w for w in windows if w.name == name)


@dataclass(frozen=True)
class Judgement:
    """One metric against its limit: ok True/False, or None when unknown.

    `bound` says how `limit` applies: "at_most" (the value is at most the limit) or "baseline_within_pct"
    (no more than `limit` percent below the pre-cutover baseline). `note` is a code with its `data`:
    "" (nothing to add), "no_baseline", "not_measured", "vs_baseline" (`delta` percent, `base`).
    templates/time/_monitoring_words.j2 words them.
    """

    metric: str
    value: float | None
    bound: str
    limit: float
    ok: bool | None
    note: str = ""
    data: dict = field(default_factory=dict)


AT_MOST = "at_most"
BASELINE_WITHIN_PCT = "baseline_within_pct"


def judge(metrics: dict[str, float | None], thresholds: Thresholds, baseline: dict | None) -> list[Judgement]:
    """Compare metrics with a window's thresholds (throughput: no more than `within_pct` below the baseline)."""
    found = []
    for metric, limit in (
        ("error_rate_pct", thresholds.error_rate_pct),
        ("latency_p95_ms", thresholds.latency_p95_ms),
        ("replication_lag_s", thresholds.replication_lag_s),
    ):
        value = metrics.get(metric)
        found.append(Judgement(metric, value, AT_MOST, limit, None if value is None else value <= limit))
    value, base = metrics.get("throughput"), (baseline or {}).get("throughput")
    within = thresholds.throughput_within_pct
    if value is None or not base:
        note = "no_baseline" if not base else "not_measured"
        found.append(Judgement("throughput", value, BASELINE_WITHIN_PCT, within, None, note))
    else:
        delta = (value - base) * 100.0 / base
        found.append(
            Judgement(
                "throughput",
                value,
                BASELINE_WITHIN_PCT,
                within,
                delta >= -within,
                "vs_baseline",
                {"delta": delta, "base": base},
            )
        )
    return found


def breaches(judgements: list[Judgement]) -> list[Judgement]:
    """The metrics over their limits (the event holds them worded: templates/time/monitoring_breach.j2)."""
    return [j for j in judgements if j.ok is False]


def as_dicts(judgements: list[Judgement]) -> list[dict]:
    """Judgements as plain dicts (for templates and events)."""
    return [asdict(j) for j in judgements]
