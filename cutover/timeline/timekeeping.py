"""What falls due when: the time-driven actions of a cutover, derived from its state alone.

`due(state, plan, t)` lists every action due at or before t that has not fired yet (each with
a fixed key, e.g. `comm:T-24h:<cutover>`), in time order; `next_due(state, plan, t)` is the
next moment something falls due, for the scheduler's alarm clock and the virtual clock.

Sources: the status cadence, phase-lead reminders in concurrent stages, the communications
plan (cutover/timeline/comms.py), escalations (cutover/timeline/escalations.py), degradation level
changes, and extended monitoring after success (cutover/timeline/monitoring.py).

One code path ends everything: a cutover in a terminal state yields only what belongs after
its end (completion communications, cancelling the unsent ones after an abort, the return to
degradation level 0, and extended monitoring after a success). Periodic sources fire only their
latest slot: after a restart the missed slots are not replayed, the latest is done once, late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cutover.plan.model import Runbook
from cutover.progress import degradation_level
from cutover.state import UNDERWAY, CutoverState, Status, StepStatus
from cutover.timeline import comms as comms_plan
from cutover.timeline import escalations as escalation_rules
from cutover.timeline import monitoring
from cutover.timeline.due import DueAction

__all__ = ["DueAction", "candidates", "due", "next_due", "order"]

PRIORITY = {
    "degradation": 0,
    "comm_cancel": 1,
    "comm": 2,
    "default_rollback": 3,
    "sla_breach": 3,
    "sla_warning": 3,
    "escalation": 4,
    "status": 5,
    "lead_reminder": 6,
    "monitoring": 7,
}


def candidates(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """Every action not yet fired that is due by t, plus the next one of each periodic source."""
    if state.terminal:
        return _after_end(state, plan, t)
    found = _degradation(state, plan, t)
    found += comms_plan.candidates(state, plan, t)
    if state.status in UNDERWAY:
        found += _status_cadence(state, plan, t)
        found += _lead_reminders(state, plan, t)
        found += escalation_rules.candidates(state, plan, t)
        found += sla_watch(state, plan)
    return [a for a in found if a.key not in state.time.fired]


def due(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """The actions due at or before t that have not fired, in time order."""
    return sorted((a for a in candidates(state, plan, t) if a.at <= t), key=order)


def next_due(state: CutoverState, plan: Runbook, t: datetime) -> datetime | None:
    """The first moment after t when something falls due (None: nothing scheduled)."""
    return min((a.at for a in candidates(state, plan, t) if a.at > t), default=None)


def order(action: DueAction) -> tuple:
    """Time order; at the same moment by kind (PRIORITY), then by the plan's order (rank), then key."""
    return action.at, PRIORITY.get(action.kind, 9), action.data.get("rank", 0), action.key


def _after_end(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """The one path for a finished cutover: what comes after the end, nothing else."""
    found = _degradation(state, plan, t) + comms_plan.candidates(state, plan, t)
    if state.status == Status.SUCCEEDED:
        found += monitoring.candidates(state, plan, t)
    return [a for a in found if a.key not in state.time.fired]


def sla_watch(state: CutoverState, plan: Runbook) -> list[DueAction]:
    """Seed 4.2 "acceptable downtime < 60 minutes": a warning at `sla.warn_at`, the breach at the limit."""
    if state.started_at is None:
        return []
    cid, found = state.cutover_id, []
    if plan.sla.warn_at is not None and state.time.sla_warned_at is None:
        at = state.started_at + plan.sla.warn_at
        found.append(
            DueAction(
                f"sla-warning:{cid}",
                at,
                "sla_warning",
                {"limit_s": plan.sla.acceptable_downtime.total_seconds()},
            )
        )
    if state.time.sla_breached_at is None:
        at = state.started_at + plan.sla.acceptable_downtime
        found.append(
            DueAction(
                f"sla-breach:{cid}",
                at,
                "sla_breach",
                {"limit_s": plan.sla.acceptable_downtime.total_seconds()},
            )
        )
    return found


def _degradation(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """A change of the service degradation level (seed 5.2) not yet announced."""
    level = degradation_level(state)
    if level == state.time.degradation:
        return []
    at = {
        1: state.started_at,
        2: state.rollback.ordered_at if state.rollback else None,
        0: state.ended_at,
    }.get(level) or t
    since = state.time.degradation_at
    at = max(at, since) if since else at
    key = f"degradation:{state.cutover_id}:{state.time.degradation}-{level}:{since.isoformat() if since else 'start'}"
    return [DueAction(key, min(at, t), "degradation", {"level": level, "from": state.time.degradation})]


def _periodic_slot(origin: datetime, every: timedelta, t: datetime) -> tuple[int, datetime, datetime]:
    """The latest slot index k >= 0 at or before t, its moment, and the next slot's moment."""
    k = max(0, (t - origin) // every)
    return k, origin + k * every, origin + (k + 1) * every


def _status_cadence(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """The seed's status update every `status_cadence` from the start (never when it is null)."""
    every = plan.status_cadence
    if not every or state.started_at is None:
        return []
    k, at, nxt = _periodic_slot(state.started_at, every, t)
    cid = state.cutover_id
    found = [DueAction(f"status:{cid}:{k + 1}", nxt, "status", {"slot": k + 1})]
    if k >= 1:
        found.append(DueAction(f"status:{cid}:{k}", at, "status", {"slot": k}))
    return found


def _lead_reminders(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """'Phase 1A lead: report status' to each lead of a concurrent stage silent for a cadence."""
    every = plan.lead_report_cadence
    if not every or state.paused or state.status != Status.EXECUTING or not state.stage_opened:
        return []
    stage = max(state.stage_opened)
    phases = [p for p in plan.phases if p.stage == stage]
    if len(phases) < 2:
        return []
    opened = state.stage_opened[stage]
    k, at, nxt = _periodic_slot(opened, every, t)
    found = []
    for phase in phases:
        runs = [state.step(s.id) for s in phase.steps]
        if all(r.status == StepStatus.DONE for r in runs) or any(r.status == StepStatus.FAILED for r in runs):
            continue
        reports = [m for r in runs for m in (r.started_at, r.ended_at) if m is not None]
        key = f"lead:{state.cutover_id}:{phase.id}:"
        data = {"phase": phase.id, "role": phase.lead}
        found.append(DueAction(key + str(k + 1), nxt, "lead_reminder", {**data, "slot": k + 1}))
        silent_since = max([opened, *[m for m in reports if m <= at]])
        if k >= 1 and at - silent_since >= every:
            found.append(DueAction(key + str(k), at, "lead_reminder", {**data, "slot": k}))
    return found
