"""Report sections 2, 4 and 5: phase and gate timeline, issues, rollback events (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cutover.plan.model import Runbook
from cutover.report.facts import Facts
from cutover.state import CutoverState, GateStatus, Status, StepStatus


@dataclass(frozen=True)
class PhaseRow:
    """A phase's start (its first step started), end (its last step done) and duration against target."""

    id: str
    title: str
    stage: int
    start: datetime | None
    end: datetime | None
    duration: timedelta | None
    target: timedelta | None
    status: str  # done, failed, in_progress, interrupted (by a rollback or abort), not_started

    @property
    def over_by(self) -> timedelta | None:
        """How far past its target the phase ran (None when within it or not measurable)."""
        if self.duration is None or self.target is None or self.duration <= self.target:
            return None
        return self.duration - self.target


@dataclass(frozen=True)
class GateRow:
    """A gate: when it opened, when it was approved, and its clock (from the stage's opening) against its timeout."""

    number: int
    checkpoint: str
    opened_at: datetime | None
    decided_at: datetime | None
    status: str
    waited: timedelta | None  # from the gate opening to its approval
    clock: (
        timedelta | None
    )  # from the stage opening to the approval, pauses excluded (what the timeout measures)
    timeout: timedelta | None
    approvers: list[str]
    rejections: int

    @property
    def over_by(self) -> timedelta | None:
        """How far past its timeout the gate was approved."""
        if self.clock is None or self.timeout is None or self.clock <= self.timeout:
            return None
        return self.clock - self.timeout


@dataclass(frozen=True)
class StepRow:
    """A step's last attempt: its duration (pauses excluded) against its timeout."""

    id: str
    title: str
    phase: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    attempts: int
    duration: timedelta | None
    timeout: timedelta

    @property
    def over_by(self) -> timedelta | None:
        """How far past its timeout the step ran."""
        if self.duration is None or self.timeout <= timedelta() or self.duration <= self.timeout:
            return None
        return self.duration - self.timeout


@dataclass(frozen=True)
class IssueRow:
    """An issue: what, in which phase, its impact, how it was resolved and how long that took."""

    number: int
    source: str  # step_failure, gate_rejection, data_validation, critical_alarm, note
    detail: dict[str, Any]  # what the template needs to describe it
    phase: str
    at: datetime
    impact: str  # High, Medium, not_stated
    resolution: str  # retried, approved, rollback, aborted, overridden, unresolved, not_recorded
    resolution_ref: str  # the step, gate, procedure or reason the resolution names
    resolved_at: datetime | None

    @property
    def time_to_resolve(self) -> timedelta | None:
        """From the issue to its resolution."""
        return self.resolved_at - self.at if self.resolved_at else None


@dataclass(frozen=True)
class RollbackRow:
    """A rollback ordered during the cutover."""

    procedure: str
    name: str
    title: str
    reason: str
    recommended: str
    ordered_by: str
    ordered_at: datetime
    ended_at: datetime | None
    rto: timedelta
    success: str  # yes, no, replaced, in_progress
    failed_step: str | None

    @property
    def duration(self) -> timedelta | None:
        """From the order to the completion."""
        return self.ended_at - self.ordered_at if self.ended_at else None


def phase_rows(plan: Runbook, state: CutoverState, facts: Facts) -> list[PhaseRow]:
    """Section 2: each phase's start, end and duration against its target."""
    rows = []
    for phase in plan.phases:
        ids = [s.id for s in phase.steps]
        starts = [facts.first_start[i] for i in ids if i in facts.first_start]
        runs = [state.step(i) for i in ids]
        done = all(r.status == StepStatus.DONE for r in runs)
        start = min(starts) if starts else None
        end = max(facts.last_done[i] for i in ids) if done else None
        if any(r.status == StepStatus.FAILED for r in runs):
            status = "failed"
        elif done:
            status = "done"
        elif start is None:
            status = "not_started"
        else:
            status = "interrupted" if state.rollbacks or state.status == Status.ABORTED else "in_progress"
        rows.append(
            PhaseRow(
                phase.id,
                phase.title,
                phase.stage,
                start,
                end,
                end - start if start and end else None,
                phase.target,
                status,
            )
        )
    return rows


def gate_rows(plan: Runbook, state: CutoverState, facts: Facts) -> list[GateRow]:
    """Section 2: each gate's wait and its clock against its timeout."""
    rows = []
    for gate in plan.gates:
        run = state.gate(gate.number)
        stage_opened = state.stage_opened.get(plan.phases_by_id[gate.after[0]].stage)
        decided = run.decided_at if run.status == GateStatus.APPROVED else None
        clock = None
        if decided and stage_opened:
            clock = decided - stage_opened - state.paused_between(stage_opened, decided)
        rows.append(
            GateRow(
                number=gate.number,
                checkpoint=gate.checkpoint,
                opened_at=run.opened_at,
                decided_at=decided,
                status=run.status.value,
                waited=decided - run.opened_at if decided and run.opened_at else None,
                clock=clock,
                timeout=gate.timeout,
                approvers=[a.actor for a in run.approvals],
                rejections=sum(1 for x in facts.rejections if x.payload.get("gate") == gate.number),
            )
        )
    return rows


def step_rows(plan: Runbook, state: CutoverState) -> list[StepRow]:
    """Every step that was started (plan and rollback steps), in runbook order."""
    rows = []
    planned = [(s.id, s.title, p.id, s.timeout) for p in plan.phases for s in p.steps]
    planned += [
        (s.id, s.title, r.id, s.duration) for r in plan.rollbacks for s in r.steps if not s.included_from
    ]
    for sid, title, phase, timeout in planned:
        run = state.steps.get(sid)
        if run is None or run.started_at is None:
            continue
        duration = None
        if run.ended_at:
            duration = run.ended_at - run.started_at - state.paused_between(run.started_at, run.ended_at)
        rows.append(
            StepRow(
                sid,
                title,
                phase,
                run.started_at,
                run.ended_at,
                run.status.value,
                run.attempts,
                duration,
                timeout,
            )
        )
    return rows


def rollback_rows(plan: Runbook, state: CutoverState) -> list[RollbackRow]:
    """Section 5: every rollback ordered, in order; a rollback replaced by another is marked so."""
    rows = []
    for index, run in enumerate(state.rollbacks):
        procedure = plan.rollbacks_by_id[run.procedure]
        replaced = index < len(state.rollbacks) - 1
        if run.ended_at:
            success = "yes"
        elif replaced:
            success = "replaced"
        elif run.failed_step:
            success = "no"
        else:
            success = "in_progress"
        rows.append(
            RollbackRow(
                procedure.id,
                procedure.name,
                procedure.title,
                run.reason,
                run.recommended,
                run.ordered_by,
                run.ordered_at,
                run.ended_at,
                procedure.rto,
                success,
                run.failed_step,
            )
        )
    return rows


def issue_rows(plan: Runbook, state: CutoverState, facts: Facts, validation) -> list[IssueRow]:
    """Section 4: step failures, gate rejections, data validation failure, critical alarms and `note issue`."""
    found: list[tuple] = []
    titles = {s.id: s.title for s in plan.steps_by_id.values()} | {
        s.id: s.title for s in plan.rollback_steps_by_id.values()
    }
    phase_of = {sid: p.id for sid, p in plan.phase_of_step.items()}
    phase_of |= {s.id: r.id for r in plan.rollbacks for s in r.steps if not s.included_from}
    for x in facts.failures:
        sid = x.payload.get("step_id", "")
        retried = [t for t in facts.dones.get(sid, []) if t > x.at]
        how = _resolved(facts, x.at, ("retried", sid, retried[0]) if retried else None)
        detail = {"step": sid, "title": titles.get(sid, ""), "note": x.payload.get("note") or ""}
        found.append((x, "step_failure", detail, phase_of.get(sid, ""), _impact(how[0]), *how))
    for x in facts.rejections:
        number: Any = x.payload.get("gate")
        approved = [t for t in facts.approvals.get(number, []) if t > x.at]
        how = _resolved(facts, x.at, ("approved", str(number), approved[0]) if approved else None)
        gate = plan.gates_by_number.get(number)
        detail = {"gate": number, "reason": x.payload.get("reason", "")}
        found.append(
            (x, "gate_rejection", detail, "/".join(gate.after) if gate else "", _impact(how[0]), *how)
        )
    fact = facts.validation
    if validation.at is not None and validation.passed is False and fact is not None:
        override = facts.validation_override
        if override and override.seq > fact.seq:
            how = ("overridden", str(override.payload.get("reason", "")), override.at)
        else:
            how = _resolved(facts, fact.at, None)
        failing = [i.get("name", "") for i in validation.items if i.get("result") == "fail"]
        found.append(
            (
                fact,
                "data_validation",
                {"failing": failing},
                fact.phase,
                "High" if validation.loss else "Medium",
                *how,
            )
        )
    for x in facts.alarms:
        found.append(
            (
                x,
                "critical_alarm",
                {"alarms": [str(a) for a in x.payload.get("alarms") or []]},
                x.phase or "after_cutover",
                "High",
                "not_recorded",
                "",
                None,
            )
        )
    failure_notes = [
        d["note"].strip().lower() for _, src, d, *_ in found if src == "step_failure" and d["note"]
    ]
    for x in facts.issue_notes:
        text = str(x.payload.get("text", "")).strip().lower()
        if any(note in text for note in failure_notes):
            continue  # `note issue` restating a step failure already listed: one issue, not two
        phase = x.phase if state.started_at and x.at >= state.started_at else "before_start"
        if state.ended_at and x.at > state.ended_at:
            phase = "after_cutover"
        found.append(
            (x, "note", {"text": x.payload.get("text", "")}, phase, "not_stated", "not_recorded", "", None)
        )
    found.sort(key=lambda row: row[0].seq)
    return [
        IssueRow(n, source, detail, phase, x.at, impact, how, ref, when)
        for n, (x, source, detail, phase, impact, how, ref, when) in enumerate(found, start=1)
    ]


def _resolved(
    facts: Facts, at: datetime, fixed: tuple[str, str, datetime] | None
) -> tuple[str, str, datetime | None]:
    """The first thing after `at` that dealt with an issue: the fix, a rollback order, or the abort."""
    options = [fixed] if fixed else []
    rollback = next((x for x in facts.rollbacks_ordered if x.at >= at), None)
    if rollback:
        options.append(("rollback", str(rollback.payload.get("procedure", "")), rollback.at))
    if facts.aborted and facts.aborted.at >= at:
        options.append(("aborted", "", facts.aborted.at))
    if not options:
        return "unresolved", "", None
    return min(options, key=lambda o: o[2])


def _impact(resolution: str) -> str:
    """High when it took a rollback, an abort or is unresolved; Medium when fixed and the cutover went on."""
    return "Medium" if resolution in ("retried", "approved") else "High"
