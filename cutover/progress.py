"""Where a cutover stands: the seed's "Cutover Status Dashboard" as a pure view of state and plan.

The status verb, the parent message, App Home and the status cadence all render this one view,
so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cutover.deadlines import Deadline, overdue
from cutover.decisions import Recommendation, phase_outcome, recommend
from cutover.plan.model import Phase, Runbook
from cutover.state import CutoverState, GateStatus, Status, StepStatus


@dataclass(frozen=True)
class PhaseProgress:
    """One phase: how many steps are done, which one is current, its outcome."""

    id: str
    title: str
    done: int
    total: int
    outcome: str  # pending, in_progress, success, failed
    current_step: str | None
    current_title: str | None
    next_step: str | None
    next_title: str | None
    next_timeout: timedelta | None
    started_at: datetime | None
    ended_at: datetime | None

    @property
    def percent(self) -> int:
        """Share of steps done, rounded down."""
        return self.done * 100 // self.total if self.total else 100


@dataclass(frozen=True)
class GateProgress:
    """A gate that is open or rejected, waiting for someone."""

    number: int
    checkpoint: str
    status: str
    approvers: list[str]
    missing_roles: list[str]


@dataclass(frozen=True)
class Dashboard:
    """Everything a status message shows."""

    cutover_id: str
    status: Status
    paused: bool
    pause_reason: str
    now: datetime
    window_start: datetime | None
    started_at: datetime | None
    elapsed: timedelta | None
    stage: int | None
    stage_budget: timedelta | None
    stage_remaining: timedelta | None
    phases: list[PhaseProgress]
    open_gates: list[GateProgress]
    next_phases: list[str]  # the ids of the phases the next stage opens
    overdue: list[Deadline]
    degradation: int
    recommendation: Recommendation | None
    rollback_procedure: str | None = None
    rollback_progress: PhaseProgress | None = None
    issues: list[dict] = field(
        default_factory=list
    )  # {"step", "note"} of a failed step, {"gate", "reason"} of a rejection
    # the post-rollback checklist once open: (number, item, role key, confirmed)
    rollback_checklist: list[tuple[int, str, str, bool]] = field(default_factory=list)


def degradation_level(state: CutoverState) -> int:
    """Seed 5.2: 1 during the cutover, 2 while rolling back, 3 when the rollback failed, else 0.

    Past the acceptable downtime (an SLA breach) a cutover still under way is one level further
    (seed 5.4: manual workarounds once the system is unavailable for more than an hour).
    """
    level = {
        Status.EXECUTING: 1,
        Status.VALIDATING: 1,
        Status.ROLLING_BACK: 2,
        Status.ROLLBACK_FAILED: 3,
    }.get(state.status, 0)
    if level and state.time.sla_breached_at is not None:
        return min(3, level + 1)
    return level


def _phase_progress(state: CutoverState, plan: Runbook, phase: Phase, outcome: str) -> PhaseProgress:
    steps = phase.steps
    runs = [state.step(s.id) for s in steps]
    done = sum(run.status == StepStatus.DONE for run in runs)
    current = next(
        (
            s
            for s, r in zip(steps, runs, strict=True)
            if r.status in (StepStatus.IN_PROGRESS, StepStatus.FAILED)
        ),
        None,
    )
    upcoming = next((s for s, r in zip(steps, runs, strict=True) if r.status == StepStatus.PENDING), None)
    started = [r.started_at for r in runs if r.started_at]
    ended = runs[-1].ended_at if runs and all(r.status == StepStatus.DONE for r in runs) else None
    return PhaseProgress(
        id=phase.id,
        title=phase.title,
        done=done,
        total=len(steps),
        outcome=outcome,
        current_step=current.id if current else None,
        current_title=current.title if current else None,
        next_step=upcoming.id if upcoming else None,
        next_title=upcoming.title if upcoming else None,
        next_timeout=upcoming.timeout if upcoming else None,
        started_at=min(started) if started else None,
        ended_at=ended,
    )


def _rollback_progress(state: CutoverState, plan: Runbook) -> PhaseProgress | None:
    if state.rollback is None:
        return None
    procedure = plan.rollbacks_by_id[state.rollback.procedure]
    runs = [state.step(s.id) for s in procedure.steps]
    done = sum(run.status == StepStatus.DONE for run in runs)
    current = next(
        (
            s
            for s, r in zip(procedure.steps, runs, strict=True)
            if r.status in (StepStatus.IN_PROGRESS, StepStatus.FAILED)
        ),
        None,
    )
    upcoming = next(
        (s for s, r in zip(procedure.steps, runs, strict=True) if r.status == StepStatus.PENDING), None
    )
    outcome = {Status.ROLLED_BACK: "success", Status.ROLLBACK_FAILED: "failed"}.get(
        state.status, "in_progress"
    )
    return PhaseProgress(
        id=procedure.id,
        title=procedure.name,
        done=done,
        total=len(runs),
        outcome=outcome,
        current_step=current.id if current else None,
        current_title=current.title if current else None,
        next_step=upcoming.id if upcoming else None,
        next_title=upcoming.title if upcoming else None,
        next_timeout=upcoming.duration if upcoming else None,
        started_at=state.rollback.ordered_at,
        ended_at=state.rollback.ended_at,
    )


def dashboard(state: CutoverState, plan: Runbook, now: datetime) -> Dashboard:
    """The dashboard of a cutover at `now`."""
    opened = sorted(state.stage_opened)
    stage = opened[-1] if opened and state.status in (Status.EXECUTING, Status.VALIDATING) else None
    phases = []
    for stage_phases in plan.stages:
        for phase in stage_phases:
            phases.append(_phase_progress(state, plan, phase, phase_outcome(state, plan, phase.id)))
    budget = remaining = None
    if stage is not None:
        closing = plan.gates_after_stage(stage)
        timeouts = [g.timeout for g in closing if g.timeout]
        budget = max(timeouts) if timeouts else None
        if budget is not None:
            spent = now - state.stage_opened[stage] - state.paused_between(state.stage_opened[stage], now)
            remaining = budget - spent
    gates = []
    for gate in plan.gates:
        run = state.gate(gate.number)
        if run.status in (GateStatus.OPEN, GateStatus.REJECTED):
            approved = {a.role for a in run.approvals}
            missing = (
                [r for r in gate.approvers if r not in approved]
                if gate.approval == "all"
                else ([] if approved else list(gate.approvers))
            )
            gates.append(
                GateProgress(gate.number, gate.checkpoint, run.status.value, list(gate.approvers), missing)
            )
    later = [s for s in plan.stages if stage is not None and s[0].stage > stage]
    end = state.ended_at or now
    issues: list[dict[str, Any]] = [
        {"step": sid, "note": run.note, "gate": None, "reason": None}
        for sid, run in state.steps.items()
        if run.status == StepStatus.FAILED
    ]
    issues += [
        {
            "step": None,
            "note": None,
            "gate": n,
            "reason": g.rejection.reason,
        }  # one shape: templates test both
        for n, g in state.gates.items()
        if g.status == GateStatus.REJECTED and g.rejection
    ]
    return Dashboard(
        cutover_id=state.cutover_id,
        status=state.status,
        paused=state.paused,
        pause_reason=state.pause_reason,
        now=now,
        window_start=state.window_start,
        started_at=state.started_at,
        elapsed=(end - state.started_at) if state.started_at else None,
        stage=stage,
        stage_budget=budget,
        stage_remaining=remaining,
        phases=phases,
        open_gates=gates,
        next_phases=[p.id for p in later[0]] if later else [],
        overdue=overdue(state, plan, now),
        degradation=degradation_level(state),
        recommendation=recommend(state, plan) if _needs_decision(state) else None,
        rollback_procedure=state.rollback.procedure if state.rollback else None,
        rollback_progress=_rollback_progress(state, plan),
        rollback_checklist=_rollback_checklist(state, plan),
        issues=issues,
    )


def _rollback_checklist(state: CutoverState, plan: Runbook) -> list[tuple[int, str, str, bool]]:
    run = state.rollback
    if run is None or run.checklist_opened_at is None:
        return []
    items = plan.rollbacks_by_id[run.procedure].validation
    return [(n, item.item, item.role, n in run.confirmed) for n, item in enumerate(items, start=1)]


def _needs_decision(state: CutoverState) -> bool:
    """A rollback decision is awaited, or (nothing switched yet) a failure or rejection awaits abort or green."""
    if state.decision_needed_since is not None:
        return True
    if state.status not in (Status.EXECUTING, Status.VALIDATING):
        return False
    failed = any(run.status == StepStatus.FAILED for run in state.steps.values())
    return failed or any(g.status == GateStatus.REJECTED for g in state.gates.values())
