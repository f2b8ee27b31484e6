"""Report sections 1, 3, 6 and 7: outcome and verdicts (with their rules), success metrics,
data validation and the pre/post performance comparison (seed 6.2, 6.3). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cutover.plan.model import Runbook
from cutover.report.facts import Facts
from cutover.state import CutoverState, Status
from cutover.status.eta import critical_path

# the data sources of section 6 with the unit a loss is counted in; templates/report/_sentences.j2 names them
SOURCES = [
    ("msk", "messages"),
    ("documentdb", "records"),
    ("s3", "objects"),
    ("consumer_lag", ""),
    ("flows", ""),
]
LOSS_SOURCES = {"msk", "documentdb", "s3"}
# seed 6.3 metric names -> the metric keys a baseline and a monitoring checkpoint carry, and their units
# (templates/report/_sentences.j2 names each metric; a metric it does not know is shown by its name)
METRIC_KEYS = {
    "latency": ("latency_p95_ms", "ms"),
    "throughput": ("throughput", "msg/s"),
    "error_rate": ("error_rate_pct", "%"),
    "cpu": ("cpu_pct", "%"),
    "memory": ("memory_pct", "%"),
    "network": ("network_mbps", "MB/s"),
}
ABSOLUTE = {"error_rate"}  # a percentage already: its delta is in percentage points, not relative
SEED_AVAILABILITY_PCT = 99.9  # seed 6.2 "Service Availability: [99.9% / Actual %]"
SEED_RECONNECTION_PCT = 95.0  # seed 6.2 "Client Reconnection: [> 95% / Actual %]"
POST_WINDOW = timedelta(hours=24)  # seed 6.3: post-cutover 24-hour average

IMPACT_LEVELS = ["significant", "moderate", "minimal", "none"]  # their rules: templates/report/_sentences.j2
ASSESSMENT_LEVELS = ["red", "yellow", "green", "pending"]


@dataclass(frozen=True)
class Verdict:
    """A level (whose rule the templates state) and the facts that matched the rule, as (code, value)."""

    level: str
    reasons: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class MetricRow:
    """Section 3: a success metric against its target; value None means not measured. `label` and `detail`
    are codes templates/report/_sentences.j2 words (`data_loss`, `planned_maintenance_excluded`)."""

    label: str
    target_op: str
    target: float
    unit: str
    value: float | None
    met: bool | None
    detail: str = ""


@dataclass(frozen=True)
class PerformanceRow:
    """Section 7: a metric before and after, its delta and the seed 6.3 limit."""

    metric: str
    label: str  # the metric's code (its seed 6.3 name): templates/report/_sentences.j2 words it
    unit: str
    pre: float | None
    post: float | None
    delta: float | None
    delta_unit: str  # "%" (relative) or "pp" (percentage points)
    limit: float
    direction: str
    result: str  # pass, fail, not_measured


@dataclass(frozen=True)
class SourceResult:
    """Section 6: one kind of data check, pass / fail / unknown / not_measured."""

    source: str
    label: str  # the source's code: templates/report/_sentences.j2 words it
    result: str
    lost: int = 0
    unit: str = ""


@dataclass(frozen=True)
class ValidationView:
    """Section 6: baseline vs after, by source, with overrides and reconciliation."""

    baseline_at: datetime | None = None
    baseline_archive: str = ""
    baseline_unknown: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    passed: bool | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    sources: list[SourceResult] = field(default_factory=list)
    override: tuple[datetime, str, str] | None = None  # at, actor, reason
    reconciliation: dict[str, Any] | None = None
    reconciled_at: datetime | None = None
    loss: dict[str, int] | None = None  # source -> units lost; None when not measured


def validation_view(plan: Runbook, facts: Facts) -> ValidationView:
    """The baseline and the latest validation, judged per source; loss = counts that went down."""
    b, v = facts.baseline, facts.validation
    items = list(v.payload.get("items") or []) if v else []
    loss: dict[str, int] | None = None
    sources = []
    if v is not None:
        loss = {}
        for item in items:
            if item.get("source") in LOSS_SOURCES:
                delta = _number(item.get("delta"))
                baseline, current = _number(item.get("baseline")), _number(item.get("current"))
                if delta is None and baseline is not None and current is not None:
                    delta = current - baseline
                if delta is not None and delta < 0:
                    loss[item["source"]] = loss.get(item["source"], 0) + int(-delta)
    for key, unit in SOURCES:
        mine = [i for i in items if i.get("source") == key]
        results = {i.get("result") for i in mine}
        result = (
            "not_measured"
            if not mine
            else "fail"
            if "fail" in results
            else "pass"
            if results == {"pass"}
            else "unknown"
        )
        sources.append(SourceResult(key, key, result, (loss or {}).get(key, 0), unit))
    o = facts.validation_override
    r = facts.reconciliation
    return ValidationView(
        baseline_at=b.at if b else None,
        baseline_archive=(str(b.payload.get("archive") or "") or facts.baseline_archived) if b else "",
        baseline_unknown=dict(b.payload.get("unknown") or {}) if b else {},
        at=v.at if v else None,
        passed=bool(v.payload.get("passed")) if v else None,
        items=items,
        sources=sources,
        override=(o.at, o.actor, str(o.payload.get("reason", ""))) if o else None,
        reconciliation=r.payload if r else None,
        reconciled_at=r.at if r else None,
        loss=loss,
    )


def data_loss(validation: ValidationView) -> int | None:
    """Units lost (messages + records + objects), or None when the data was not validated."""
    return None if validation.loss is None else sum(validation.loss.values())


def outcome_of(state: CutoverState, validation: ValidationView) -> str:
    """success, partial, rollback, rollback_failed, aborted, in_progress or not_started."""
    if state.status == Status.SUCCEEDED:
        return "partial" if validation.passed is False or validation.override else "success"
    return {
        Status.ROLLED_BACK: "rollback",
        Status.ROLLBACK_FAILED: "rollback_failed",
        Status.ABORTED: "aborted",
    }.get(state.status, "in_progress" if state.started_at else "not_started")


def duration_target(plan: Runbook) -> tuple[timedelta, timedelta | None]:
    """The duration a cutover is judged against, and the runbook's stated target when it was replaced.

    When the runbook's overall target (`sla.target_duration`) is shorter than the plan's own critical
    path (its phases' targets, stage after stage), the target contradicts the steps; the report then
    compares with the critical path and says so.
    """
    path = critical_path(plan)
    if plan.sla.target_duration < path:
        return path, plan.sla.target_duration
    return plan.sla.target_duration, None


def business_impact(
    outcome: str, duration, plan: Runbook, sla_met, loss, facts: Facts, state: CutoverState
) -> Verdict:
    """Minimal / moderate / significant (or none / pending), by the rules stated in the report."""
    if state.started_at is None:
        return Verdict("none")
    reasons: list[tuple[str, Any]] = []
    if sla_met is False:
        reasons.append(("sla_exceeded", duration))
    if loss:
        reasons.append(("data_lost", loss))
    if outcome == "rollback_failed":
        reasons.append(("rollback_failed", None))
    if reasons:
        return Verdict("significant", reasons)
    if state.rollbacks:
        reasons.append(("rollback_needed", state.rollbacks[-1].procedure))
    if outcome == "aborted":
        reasons.append(("aborted_after_start", None))
    target, _ = duration_target(plan)
    if duration is not None and duration > target:
        reasons.append(("over_target", duration - target))
    if reasons:
        return Verdict("moderate", reasons)
    if outcome in ("success", "partial"):
        return Verdict("minimal", [("within_target", duration)])
    return Verdict("pending")


def assessment(
    outcome: str, duration, plan: Runbook, sla_met, loss, overrides, validation: ValidationView, issues
) -> Verdict:
    """Green / yellow / red (or pending), by the rules stated in the report, with the facts that matched."""
    red: list[tuple[str, Any]] = []
    if outcome in ("rollback", "rollback_failed", "aborted"):
        red.append(({"rollback": "rolled_back"}.get(outcome, outcome), None))
    if sla_met is False:
        red.append(("sla_exceeded", duration))
    if loss:
        red.append(("data_lost", loss))
    if red:
        return Verdict("red", red)
    if outcome not in ("success", "partial"):
        return Verdict("pending")
    yellow: list[tuple[str, Any]] = []
    target, _ = duration_target(plan)
    if duration is not None and duration > target:
        yellow.append(("over_target", duration - target))
    if outcome == "partial":
        yellow.append(("validation_failed" if validation.passed is False else "validation_overridden", None))
    if overrides:
        yellow.append(("gonogo_overridden", len(overrides)))
    if issues:
        yellow.append(("issues", len(issues)))
    if yellow:
        return Verdict("yellow", yellow)
    return Verdict("green", [("within_target", duration)])


def post_checkpoints(facts: Facts, ended_at: datetime | None) -> list:
    """The monitoring checkpoints of the 24 hours after completion (all of them when none fall there)."""
    if ended_at is not None:
        window = [c for c in facts.checkpoints if ended_at <= c.at <= ended_at + POST_WINDOW]
        if window:
            return window
    return facts.checkpoints


def performance(plan: Runbook, facts: Facts, ended_at: datetime | None) -> list[PerformanceRow]:
    """Seed 6.3: pre (baseline metrics) vs post (average of the post-cutover checkpoints) per threshold."""
    pre_metrics = dict(facts.baseline.payload.get("metrics") or {}) if facts.baseline else {}
    post = post_checkpoints(facts, ended_at)
    rows = []
    for threshold in plan.monitoring.performance_thresholds if plan.monitoring else []:
        key, unit = METRIC_KEYS.get(threshold.metric, (threshold.metric, ""))
        pre = _number(pre_metrics.get(key))
        read = [_number((c.payload.get("metrics") or {}).get(key)) for c in post]
        values = [x for x in read if x is not None]
        after = sum(values) / len(values) if values else None
        delta, delta_unit = None, "pp" if threshold.metric in ABSOLUTE else "%"
        if pre is not None and after is not None:
            if threshold.metric in ABSOLUTE:
                delta = after - pre
            elif pre != 0:
                delta = (after - pre) / pre * 100
        if delta is None:
            result = "not_measured"
        else:
            worse = delta if threshold.direction == "increase" else -delta
            result = "fail" if worse > threshold.limit_pct else "pass"
        rows.append(
            PerformanceRow(
                threshold.metric,
                threshold.metric,
                unit,
                pre,
                after,
                delta,
                delta_unit,
                threshold.limit_pct,
                threshold.direction,
                result,
            )
        )
    return rows


def success_metrics(
    plan: Runbook,
    facts: Facts,
    loss: int | None,
    perf: list[PerformanceRow],
    downtime: timedelta | None,
    state: CutoverState,
) -> list[MetricRow]:
    """Section 3; a metric the log holds no data for has value None (not measured)."""
    limits = plan.monitoring.windows[0].thresholds if plan.monitoring and plan.monitoring.windows else None
    series = {
        key: [
            v
            for v in (_number((c.payload.get("metrics") or {}).get(key)) for c in facts.checkpoints)
            if v is not None
        ]
        for key in ("error_rate_pct", "replication_lag_s", "client_reconnection_pct")
    }
    availability = None
    if facts.checkpoints and state.started_at and downtime is not None:
        span = facts.checkpoints[-1].at - state.started_at
        if span > timedelta():
            # planned maintenance (up to the target duration, announced in advance) is not an outage:
            # only the downtime beyond it counts against availability
            unplanned = max(downtime - duration_target(plan)[0], timedelta())
            availability = max(0.0, (1 - unplanned / span) * 100)
    latency = next((p for p in perf if p.metric == "latency"), None)
    error_max = max(series["error_rate_pct"], default=None)
    lag_max = max(series["replication_lag_s"], default=None)
    reconnect = series["client_reconnection_pct"][-1] if series["client_reconnection_pct"] else None
    error_limit = limits.error_rate_pct if limits else 1.0
    lag_limit = limits.replication_lag_s if limits else 30.0
    latency_limit = latency.limit if latency else 10.0
    latency_delta = latency.delta if latency else None
    return [
        MetricRow(
            "data_loss",
            "=",
            0,
            " messages/records/objects",
            None if loss is None else float(loss),
            None if loss is None else loss == 0,
        ),
        MetricRow(
            "availability",
            ">=",
            SEED_AVAILABILITY_PCT,
            "%",
            availability,
            None if availability is None else availability >= SEED_AVAILABILITY_PCT,
            "planned_maintenance_excluded" if availability is not None else "",
        ),
        MetricRow(
            "latency_impact",
            "<",
            latency_limit,
            "%",
            latency_delta,
            None if latency_delta is None else latency_delta < latency_limit,
        ),
        MetricRow(
            "error_rate_worst",
            "<",
            error_limit,
            "%",
            error_max,
            None if error_max is None else error_max < error_limit,
        ),
        MetricRow(
            "client_reconnection",
            ">",
            SEED_RECONNECTION_PCT,
            "%",
            reconnect,
            None if reconnect is None else reconnect > SEED_RECONNECTION_PCT,
        ),
        MetricRow(
            "replication_lag_worst",
            "<",
            lag_limit,
            " s",
            lag_max,
            None if lag_max is None else lag_max < lag_limit,
        ),
    ]


def _number(value: Any) -> float | None:
    """A number from a payload value, or None (missing, unknown, not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
