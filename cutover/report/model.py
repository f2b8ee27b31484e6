"""The post-cutover report (seed 6.2) as a view model built from the log alone.

`build_report(plan, history, cutover_id, ...)` is pure: every figure comes from a recorded event
(the state folded from them, or the payloads of baselines, validation, monitoring and
escalations); what the log does not hold is `None`, which the templates print as "not measured".
The definitions and rules it applies are stated in words by templates/report/_sentences.j2,
which every format prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from cutover.events import Recorded, kind_of
from cutover.plan.model import Runbook
from cutover.report.advice import ActionItem, Advice, action_items, recommendations
from cutover.report.facts import Fact, Facts, collect, denial_count, payload_view
from cutover.report.rules import (
    ASSESSMENT_LEVELS,
    IMPACT_LEVELS,
    MetricRow,
    PerformanceRow,
    ValidationView,
    Verdict,
    assessment,
    business_impact,
    data_loss,
    duration_target,
    outcome_of,
    performance,
    success_metrics,
    validation_view,
)
from cutover.report.sections import (
    GateRow,
    IssueRow,
    PhaseRow,
    RollbackRow,
    StepRow,
    gate_rows,
    issue_rows,
    phase_rows,
    rollback_rows,
    step_rows,
)
from cutover.state import CutoverState, Status, fold


@dataclass(frozen=True)
class Summary:
    """Section 1: the executive summary."""

    cutover_id: str
    title: str
    from_region: str
    to_region: str
    window_start: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    duration: timedelta | None
    target_duration: timedelta  # what the duration is judged against (see rules.duration_target)
    stated_target: timedelta | None  # the runbook's overall target, when it contradicts the plan's steps
    recovery_time: timedelta | None
    recovery_kind: str  # health_checks, rollback, not_reached, never_started
    downtime: timedelta | None
    downtime_ongoing: bool
    sla: timedelta
    sla_met: bool | None
    paused: timedelta
    outcome: str  # success, partial, rollback, rollback_failed, aborted, in_progress, not_started
    business_impact: Verdict
    affected_flows: list[str]
    assessment: Verdict


@dataclass(frozen=True)
class NoteRow:
    """A lesson someone recorded with `note lesson`."""

    text: str
    actor: str
    who: str  # the actor's name
    at: datetime


@dataclass(frozen=True)
class EscalationRow:
    """An escalation the bot sent, and whether and when it was acknowledged."""

    at: datetime
    key: str
    trigger: str
    roles: list[str]
    to: list[str]
    reason: str
    attempt: int
    acknowledged_at: datetime | None

    @property
    def ack_after(self) -> timedelta | None:
        """How long until someone acknowledged it."""
        return self.acknowledged_at - self.at if self.acknowledged_at else None


@dataclass(frozen=True)
class OverrideRow:
    """A go/no-go override: the items overridden, who asked, who approved."""

    at: datetime
    actor: str
    reason: str
    items: list[str]
    approved_at: datetime | None
    approved_by: str | None
    approval_reason: str


@dataclass(frozen=True)
class AuditView:
    """The audit log's hash-chain verification, as it was passed in."""

    ok: bool
    rows: int
    first_bad_seq: int | None
    problem: str  # a code with its data: templates/cli/_audit_problem.j2 words them
    data: dict[str, Any] = field(default_factory=dict)


class TimelineRow(NamedTuple):
    """One event of the detailed timeline (Appendix A); a tuple: a long log has 100,000 of them."""

    seq: int
    at: datetime
    actor: str
    who: str  # the actor's name (the Slack id when not on the roster)
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Report:
    """The ten sections of the seed's post-cutover report."""

    generated_at: datetime | None
    summary: Summary
    phases: list[PhaseRow]
    gates: list[GateRow]
    steps: list[StepRow]
    metrics: list[MetricRow]
    issues: list[IssueRow]
    rollbacks: list[RollbackRow]
    validation: ValidationView
    performance: list[PerformanceRow]
    breaches: list[Fact]
    checkpoints: int
    lessons: list[NoteRow]
    actions: list[ActionItem]
    advice: list[Advice]
    timeline: list[TimelineRow]
    escalations: list[EscalationRow]
    overrides: list[OverrideRow]
    checklist_failures: list[dict[str, Any]]
    pauses: list[tuple[datetime, datetime | None]]
    denials: int
    audit: AuditView | None
    names: Mapping[str, str] = field(default_factory=dict)
    rehearsal: str | None = (
        None  # the scenario, when this cutover was a rehearsal on simulated infrastructure
    )
    assessment_levels: list[str] = field(default_factory=lambda: list(ASSESSMENT_LEVELS))
    impact_levels: list[str] = field(default_factory=lambda: list(IMPACT_LEVELS))

    def name(self, actor: str) -> str:
        """A person's name for a Slack id (the id when not on the roster)."""
        return self.names.get(actor, actor)


def build_report(
    plan: Runbook,
    history: list[Recorded],
    cutover_id: str,
    *,
    names: Mapping[str, str] | None = None,
    audit: Any = None,
    generated_at: datetime | None = None,
    state: CutoverState | None = None,
) -> Report:
    """The report of one cutover from its recorded events (pure; `audit` is eventlog.verify's result)."""
    names = dict(names or {})
    state = state or fold(cutover_id, history)
    facts = collect(plan, history)
    summary_end, ongoing = _end(state, facts)
    duration = summary_end - state.started_at if state.started_at and summary_end else None
    validation = validation_view(plan, facts)
    loss = data_loss(validation)
    perf = performance(plan, facts, state.ended_at)
    phases, gates, steps = (
        phase_rows(plan, state, facts),
        gate_rows(plan, state, facts),
        step_rows(plan, state),
    )
    rollbacks = rollback_rows(plan, state)
    issues = issue_rows(plan, state, facts, validation)
    overrides = _overrides(facts)
    outcome = outcome_of(state, validation)
    sla_met = None if duration is None else duration <= plan.sla.acceptable_downtime
    recovery, recovery_kind = _recovery(plan, state, facts)
    impact = business_impact(outcome, duration, plan, sla_met, loss, facts, state)
    verdict = assessment(outcome, duration, plan, sla_met, loss, overrides, validation, issues)
    summary = Summary(
        cutover_id=cutover_id,
        title=state.title or plan.title,
        from_region=plan.from_region,
        to_region=plan.to_region,
        window_start=state.window_start,
        started_at=state.started_at,
        ended_at=state.ended_at,
        duration=duration,
        target_duration=duration_target(plan)[0],
        stated_target=duration_target(plan)[1],
        recovery_time=recovery,
        recovery_kind=recovery_kind,
        downtime=duration,
        downtime_ongoing=ongoing,
        sla=plan.sla.acceptable_downtime,
        sla_met=sla_met,
        paused=state.paused_between(state.started_at, summary_end)
        if state.started_at and summary_end
        else timedelta(),
        outcome=outcome,
        business_impact=impact,
        affected_flows=[f.name for f in plan.business.impact] if plan.business and state.started_at else [],
        assessment=verdict,
    )
    metrics = success_metrics(plan, facts, loss, perf, duration, state)
    escalations = [_escalation(x, facts) for x in facts.escalations]
    return Report(
        generated_at=generated_at,
        summary=summary,
        phases=phases,
        gates=gates,
        steps=steps,
        metrics=metrics,
        issues=issues,
        rollbacks=rollbacks,
        validation=validation,
        performance=perf,
        breaches=[c for c in facts.checkpoints if c.payload.get("breaches")],
        checkpoints=len(facts.checkpoints),
        lessons=[
            NoteRow(x.payload.get("text", ""), x.actor, names.get(x.actor, x.actor), x.at)
            for x in facts.lesson_notes
        ],
        actions=action_items(plan, issues, validation, perf, overrides),
        advice=recommendations(
            plan, steps, gates, rollbacks, facts, overrides, validation, perf, sla_met, escalations
        ),
        timeline=[
            TimelineRow(
                r.seq, r.at, r.actor, names.get(r.actor, r.actor), kind_of(r.event), payload_view(r.event)
            )
            for r in history
        ],
        escalations=escalations,
        overrides=overrides,
        checklist_failures=[
            i for i in (facts.checklist.payload.get("items") or []) if i.get("result") not in ("pass", "n/a")
        ]
        if facts.checklist
        else [],
        pauses=list(state.pauses),
        denials=denial_count(facts.denials),
        audit=_audit(audit),
        names=names,
        rehearsal=str(facts.rehearsal.payload.get("scenario", "")) if facts.rehearsal else None,
    )


def _end(state: CutoverState, facts: Facts) -> tuple[datetime | None, bool]:
    """When the downtime stopped, and whether it is still running (then: the last recorded event)."""
    if state.started_at is None:
        return None, False
    if state.ended_at is not None:
        return state.ended_at, False
    return facts.last_at, True


def _recovery(plan: Runbook, state: CutoverState, facts: Facts) -> tuple[timedelta | None, str]:
    """Time to green health checks in the target region, or to the completed rollback; and which it was."""
    if state.started_at is None:
        return None, "never_started"
    health = plan.stages[-1][0].steps[0].id  # the first step of the last phase: "Run health checks" (3.1)
    done = [t for t in facts.dones.get(health, []) if t >= state.started_at]
    if done and not state.rollbacks:
        return done[0] - state.started_at, "health_checks"
    if state.status == Status.ROLLED_BACK and state.rollback and state.rollback.ended_at:
        return state.rollback.ended_at - state.started_at, "rollback"
    return None, "not_reached"


def _escalation(x: Fact, facts: Facts) -> EscalationRow:
    p = x.payload
    return EscalationRow(
        at=x.at,
        key=str(p.get("key", "")),
        trigger=str(p.get("trigger", "")),
        roles=list(p.get("roles") or []),
        to=list(p.get("to") or []),
        reason=str(p.get("reason", "")),
        attempt=int(p.get("attempt") or 1),
        acknowledged_at=facts.escalation_acks.get(str(p.get("key", ""))),
    )


def _overrides(facts: Facts) -> list[OverrideRow]:
    rows = []
    for request in facts.override_requests:
        approval = next((a for a in facts.override_approvals if a.seq > request.seq), None)
        rows.append(
            OverrideRow(
                at=request.at,
                actor=request.actor,
                reason=str(request.payload.get("reason", "")),
                items=[str(i) for i in request.payload.get("items") or []],
                approved_at=approval.at if approval else None,
                approved_by=approval.actor if approval else None,
                approval_reason=str(approval.payload.get("reason", "")) if approval else "",
            )
        )
    return rows


def _audit(result: Any) -> AuditView | None:
    if result is None:
        return None
    return AuditView(
        ok=bool(result.ok),
        rows=int(result.rows),
        first_bad_seq=result.first_bad_seq,
        problem=str(result.problem or ""),
        data=dict(getattr(result, "data", None) or {}),
    )
