"""One pass over a cutover's log collecting what the report needs, by event kind name.

Events of other features (baselines, validation, monitoring, escalations, go/no-go overrides)
are read by their agreed kind names and payloads, so the report works whether or not the code
that declares them is loaded: an unknown kind arrives as an `Opaque` event with its payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from cutover.events import Event, Opaque, Recorded, kind_of
from cutover.plan.model import Runbook


class Fact(NamedTuple):
    """One recorded event the report refers to: when, who, and its payload (a tuple: there may be 100,000)."""

    seq: int
    at: datetime
    actor: str
    payload: dict[str, Any]
    phase: str = ""  # the phase (or rollback procedure) under way when it was recorded


def denial_count(denials: list[Fact]) -> int:
    """Every refused command: each recorded denial and the repeats it carries (rate-limited, counted)."""
    return sum(1 + int(fact.payload.get("repeats") or 0) for fact in denials)


@dataclass
class Facts:
    """Everything the report reads from the log, grouped by what it is about."""

    first_start: dict[str, datetime] = field(default_factory=dict)  # step id -> its first start
    last_done: dict[str, datetime] = field(default_factory=dict)  # step id -> when it was (last) done
    dones: dict[str, list[datetime]] = field(default_factory=dict)  # step id -> every done
    failures: list[Fact] = field(default_factory=list)  # step.failed
    rejections: list[Fact] = field(default_factory=list)  # gate.rejected
    approvals: dict[int, list[datetime]] = field(default_factory=dict)  # gate -> completing approvals
    rollbacks_ordered: list[Fact] = field(default_factory=list)
    aborted: Fact | None = None
    issue_notes: list[Fact] = field(default_factory=list)
    rehearsal: Fact | None = None  # rehearsal.marked: a rehearsal on simulated infrastructure
    lesson_notes: list[Fact] = field(default_factory=list)
    denials: list[Fact] = field(default_factory=list)
    escalations: list[Fact] = field(default_factory=list)
    escalation_acks: dict[str, datetime] = field(default_factory=dict)  # escalation key -> first ack
    alarms: list[Fact] = field(default_factory=list)
    default_rollbacks: list[Fact] = field(default_factory=list)
    degradation_max: int | None = None
    baseline: Fact | None = None  # the latest baseline.captured
    baseline_archived: str = ""  # where a baseline whose first archive failed was written later
    validation: Fact | None = None  # the latest validation.completed
    validation_override: Fact | None = None
    reconciliation: Fact | None = None
    checkpoints: list[Fact] = field(default_factory=list)  # monitoring.checkpoint
    checklist: Fact | None = None  # the latest checklist.evaluated before the start
    override_requests: list[Fact] = field(default_factory=list)
    override_approvals: list[Fact] = field(default_factory=list)
    comms_sent: int = 0
    comms_late: int = 0
    started_at: datetime | None = None
    last_at: datetime | None = None
    events: int = 0


def collect(plan: Runbook, history: list[Recorded]) -> Facts:
    """Walk the log once, in order, and gather the report's facts."""
    facts = Facts()
    phase_of = {sid: p.id for sid, p in plan.phase_of_step.items()}
    rollback_of = {s.id: r.id for r in plan.rollbacks for s in r.steps if not s.included_from}
    current_phase = ""
    for recorded in history:
        kind = kind_of(recorded.event)
        handler = _HANDLERS.get(kind)
        facts.events += 1
        facts.last_at = recorded.at
        if handler is None:
            continue
        payload = payload_view(recorded.event)
        if kind == "step.started":
            sid = payload.get("step_id", "")
            current_phase = phase_of.get(sid) or rollback_of.get(sid, current_phase)
        fact = Fact(recorded.seq, recorded.at, recorded.actor, payload, current_phase)
        handler(facts, fact)
    return facts


def payload_view(event: Event) -> dict[str, Any]:
    """An event's fields as a dict without copying them (read only): a long log holds 100,000 events."""
    if isinstance(event, Opaque):
        return event.data or {}
    return vars(event)


def _started(f: Facts, x: Fact) -> None:
    f.started_at = f.started_at or x.at


def _step_started(f: Facts, x: Fact) -> None:
    f.first_start.setdefault(x.payload.get("step_id", ""), x.at)


def _step_done(f: Facts, x: Fact) -> None:
    sid = x.payload.get("step_id", "")
    f.last_done[sid] = x.at
    f.dones.setdefault(sid, []).append(x.at)


def _gate_approved(f: Facts, x: Fact) -> None:
    if x.payload.get("complete", True):
        f.approvals.setdefault(int(x.payload.get("gate", 0)), []).append(x.at)


def _noted(f: Facts, x: Fact) -> None:
    (f.issue_notes if x.payload.get("category") == "issue" else f.lesson_notes).append(x)


def _escalation_ack(f: Facts, x: Fact) -> None:
    f.escalation_acks.setdefault(str(x.payload.get("key", "")), x.at)


def _degradation(f: Facts, x: Fact) -> None:
    level = x.payload.get("level")
    if isinstance(level, int):
        f.degradation_max = level if f.degradation_max is None else max(f.degradation_max, level)


def _baseline_archived(f: Facts, x: Fact) -> None:
    f.baseline_archived = str(x.payload.get("archive") or "")


def _checklist(f: Facts, x: Fact) -> None:
    if f.started_at is None:
        f.checklist = x


def _comm_sent(f: Facts, x: Fact) -> None:
    f.comms_sent += 1
    if (x.payload.get("late_by_s") or 0) > 0:
        f.comms_late += 1


def _setter(name: str):
    def keep_latest(f: Facts, x: Fact) -> None:
        setattr(f, name, x)

    return keep_latest


def _appender(name: str):
    def append(f: Facts, x: Fact) -> None:
        getattr(f, name).append(x)

    return append


_HANDLERS = {
    "cutover.started": _started,
    "step.started": _step_started,
    "step.done": _step_done,
    "step.failed": _appender("failures"),
    "gate.approved": _gate_approved,
    "gate.rejected": _appender("rejections"),
    "rollback.ordered": _appender("rollbacks_ordered"),
    "cutover.aborted": _setter("aborted"),
    "note.added": _noted,
    "command.denied": _appender("denials"),
    "escalation.sent": _appender("escalations"),
    "escalation.acknowledged": _escalation_ack,
    "alarm.critical": _appender("alarms"),
    "rollback.default_recommended": _appender("default_rollbacks"),
    "degradation.changed": _degradation,
    "baseline.captured": _setter("baseline"),
    "baseline.archived": _baseline_archived,
    "validation.completed": _setter("validation"),
    "validation.overridden": _setter("validation_override"),
    "reconciliation.completed": _setter("reconciliation"),
    "monitoring.checkpoint": _appender("checkpoints"),
    "checklist.evaluated": _checklist,
    "gonogo.override_requested": _appender("override_requests"),
    "gonogo.override_approved": _appender("override_approvals"),
    "comm.sent": _comm_sent,
    "rehearsal.marked": _setter("rehearsal"),
}
