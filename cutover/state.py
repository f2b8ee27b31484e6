"""The state of a cutover: a fold over its events. `apply` is the only place state changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from cutover import events as ev
from cutover.integrity.state import INTEGRITY_HANDLERS, IntegrityState
from cutover.report.events import REPORT_HANDLERS
from cutover.status.events import STATUS_PAGE_HANDLERS, StatusPageState
from cutover.timeline.state import TIME_HANDLERS, TimeState


class Status(StrEnum):
    """The lifecycle of a cutover."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    GO = "go"
    NO_GO = "no_go"
    EXECUTING = "executing"
    VALIDATING = "validating"
    SUCCEEDED = "succeeded"
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"
    ROLLBACK_FAILED = "rollback_failed"
    ABORTED = "aborted"


TERMINAL = frozenset({Status.SUCCEEDED, Status.ROLLED_BACK, Status.ABORTED})
RUNNING = frozenset({Status.EXECUTING, Status.VALIDATING})
UNDERWAY = frozenset({Status.EXECUTING, Status.VALIDATING, Status.ROLLING_BACK, Status.ROLLBACK_FAILED})


class StepStatus(StrEnum):
    """Where one step stands."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"


class GateStatus(StrEnum):
    """Where one gate stands."""

    PENDING = "pending"
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass
class StepRun:
    """One step's record: status, times, who, notes, attempts."""

    status: StepStatus = StepStatus.PENDING
    started_at: datetime | None = None
    ended_at: datetime | None = None
    started_by: str | None = None
    ended_by: str | None = None
    note: str = ""
    attempts: int = 0


@dataclass
class Approval:
    """An approval or rejection of a gate by one person in one role."""

    actor: str
    role: str
    at: datetime
    reason: str = ""


@dataclass
class GateRun:
    """One gate's record."""

    status: GateStatus = GateStatus.PENDING
    opened_at: datetime | None = None
    decided_at: datetime | None = None
    approvals: list[Approval] = field(default_factory=list)
    rejection: Approval | None = None


@dataclass
class RollbackRun:
    """The rollback in progress or done."""

    procedure: str
    reason: str
    ordered_by: str
    ordered_at: datetime
    recommended: str = ""
    ended_at: datetime | None = None
    failed_step: str | None = None
    rule: str = ""  # the runbook rule that ordered it (decision_timeout), empty when a person did
    verdicts: list[tuple[str, Approval]] = field(default_factory=list)  # (approve|object, who) when asked
    checklist_opened_at: datetime | None = None  # every step done: the post-rollback checklist is open
    confirmed: dict[int, Approval] = field(default_factory=dict)  # checklist item number -> who confirmed


@dataclass
class Note:
    """An issue or lesson someone recorded."""

    category: str
    text: str
    actor: str
    at: datetime


@dataclass
class CutoverState:
    """Everything the bot knows about one cutover, as of event `seq`."""

    cutover_id: str
    seq: int = 0
    runbook_id: str = ""
    title: str = ""
    status: Status = Status.PLANNED
    created_at: datetime | None = None
    window_start: datetime | None = None
    window_timezone: str = "UTC"
    scheduled_at: datetime | None = None  # when the window in force was set (a late notice says so)
    decision: str | None = None
    decision_reason: str = ""
    decided_by: str | None = None
    started_at: datetime | None = None
    started_by: str | None = None
    ended_at: datetime | None = None
    paused_since: datetime | None = None
    pause_reason: str = ""
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    stage_opened: dict[int, datetime] = field(default_factory=dict)
    steps: dict[str, StepRun] = field(default_factory=dict)
    gates: dict[int, GateRun] = field(default_factory=dict)
    rollback: RollbackRun | None = None
    rollbacks: list[RollbackRun] = field(default_factory=list)
    decision_needed_since: datetime | None = None
    aborted_reason: str = ""
    notes: list[Note] = field(default_factory=list)
    denials: int = 0
    integrity: IntegrityState = field(default_factory=IntegrityState)  # go/no-go and data checks
    time: TimeState = field(default_factory=TimeState)  # time-driven actions fired
    report_requested_at: datetime | None = None  # the last `report.requested`
    status_page: StatusPageState = field(default_factory=StatusPageState)  # public status updates

    @property
    def terminal(self) -> bool:
        """True once the cutover succeeded, rolled back or was aborted."""
        return self.status in TERMINAL

    @property
    def switching(self) -> bool:
        """True once a stage after the first has opened: from then on a failure calls for a rollback decision.

        Before that (Phase 0, Gate 1) nothing is switched: the way out is to abort or wait for green (seed 2.2).
        """
        return len(self.stage_opened) > 1

    @property
    def paused(self) -> bool:
        """True while the Incident Commander has paused the cutover."""
        return self.paused_since is not None

    @property
    def ordered_rollback(self) -> RollbackRun:
        """The rollback ordered, where one must be (a rollback step under way, a rollback failed); a state
        without one is a bug of the caller: LookupError("no_rollback_ordered", cutover id)."""
        if self.rollback is None:
            raise LookupError("no_rollback_ordered", self.cutover_id)
        return self.rollback

    def step(self, step_id: str) -> StepRun:
        """The record of a step (a pending one if nothing happened to it yet)."""
        return self.steps.get(step_id) or StepRun()

    def gate(self, number: int) -> GateRun:
        """The record of a gate (a pending one if nothing happened to it yet)."""
        return self.gates.get(number) or GateRun()

    def paused_between(self, start: datetime, end: datetime) -> timedelta:
        """How long the cutover was paused within [start, end]: escalation clocks stop meanwhile."""
        total = timedelta()
        for begun, finished in self.pauses:
            finished = finished or end
            overlap = min(finished, end) - max(begun, start)
            if overlap > timedelta():
                total += overlap
        return total


def apply(state: CutoverState, recorded: ev.Recorded) -> CutoverState:
    """Apply one recorded event to the state (in place) and return it."""
    event, at, actor = recorded.event, recorded.at, recorded.actor
    state.seq = recorded.seq
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event, at, actor)
    return state


def fold(cutover_id: str, history: list[ev.Recorded]) -> CutoverState:
    """The state after every event of the history, in order."""
    state = CutoverState(cutover_id=cutover_id)
    for recorded in history:
        apply(state, recorded)
    return state


def _planned(s: CutoverState, e: ev.CutoverPlanned, at: datetime, actor: str) -> None:
    s.runbook_id, s.title, s.created_at, s.status = e.runbook_id, e.title, at, Status.PLANNED


def _scheduled(s: CutoverState, e: ev.WindowScheduled, at: datetime, actor: str) -> None:
    s.window_start = datetime.fromisoformat(e.window_start)
    s.window_timezone = e.timezone
    s.scheduled_at = at
    s.status = Status.SCHEDULED
    s.decision = None  # a new window needs a new go/no-go


def _decided(s: CutoverState, e: ev.GoNoGoDecided, at: datetime, actor: str) -> None:
    s.decision, s.decision_reason, s.decided_by = e.decision, e.reason, actor
    s.status = Status.GO if e.decision == "go" else Status.NO_GO


def _started(s: CutoverState, e: ev.CutoverStarted, at: datetime, actor: str) -> None:
    s.started_at, s.started_by, s.status = at, actor, Status.EXECUTING


def _stage_opened(s: CutoverState, e: ev.StageOpened, at: datetime, actor: str) -> None:
    s.stage_opened[e.stage] = at
    if e.final:
        s.status = Status.VALIDATING


def _step_started(s: CutoverState, e: ev.StepStarted, at: datetime, actor: str) -> None:
    run = s.steps.setdefault(e.step_id, StepRun())
    run.status, run.started_at, run.started_by = StepStatus.IN_PROGRESS, at, actor
    run.ended_at, run.ended_by, run.attempts = None, None, run.attempts + 1
    run.note = e.note or run.note
    if s.status == Status.ROLLBACK_FAILED and s.rollback and s.rollback.failed_step == e.step_id:
        s.status, s.rollback.failed_step = Status.ROLLING_BACK, None
    _recheck_decision_needed(s)


def _step_done(s: CutoverState, e: ev.StepDone, at: datetime, actor: str) -> None:
    run = s.steps.setdefault(e.step_id, StepRun())
    run.status, run.ended_at, run.ended_by = StepStatus.DONE, at, actor
    run.note = e.note or run.note


def _step_failed(s: CutoverState, e: ev.StepFailed, at: datetime, actor: str) -> None:
    run = s.steps.setdefault(e.step_id, StepRun())
    run.status, run.ended_at, run.ended_by = StepStatus.FAILED, at, actor
    run.note = e.note or run.note
    if s.status in RUNNING and s.decision_needed_since is None and s.switching:
        s.decision_needed_since = at


def _gate_opened(s: CutoverState, e: ev.GateOpened, at: datetime, actor: str) -> None:
    gate = s.gates.setdefault(e.gate, GateRun())
    gate.status, gate.opened_at = GateStatus.OPEN, at


def _gate_approved(s: CutoverState, e: ev.GateApproved, at: datetime, actor: str) -> None:
    gate = s.gates.setdefault(e.gate, GateRun())
    if gate.status == GateStatus.REJECTED:
        gate.status, gate.rejection = GateStatus.OPEN, None
    gate.approvals.append(Approval(actor=actor, role=e.role, at=at, reason=e.reason))
    if e.complete:
        gate.status, gate.decided_at = GateStatus.APPROVED, at
    _recheck_decision_needed(s)


def _gate_rejected(s: CutoverState, e: ev.GateRejected, at: datetime, actor: str) -> None:
    gate = s.gates.setdefault(e.gate, GateRun())
    gate.status, gate.decided_at = GateStatus.REJECTED, at
    gate.rejection = Approval(actor=actor, role=e.role, at=at, reason=e.reason)
    gate.approvals = []
    if s.decision_needed_since is None and s.switching:
        s.decision_needed_since = at


def _paused(s: CutoverState, e: ev.Paused, at: datetime, actor: str) -> None:
    s.paused_since, s.pause_reason = at, e.reason
    s.pauses.append((at, None))


def _resumed(s: CutoverState, e: ev.Resumed, at: datetime, actor: str) -> None:
    if s.pauses and s.pauses[-1][1] is None:
        s.pauses[-1] = (s.pauses[-1][0], at)
    s.paused_since, s.pause_reason = None, ""


def _rollback_ordered(s: CutoverState, e: ev.RollbackOrdered, at: datetime, actor: str) -> None:
    s.rollback = RollbackRun(
        procedure=e.procedure,
        reason=e.reason,
        ordered_by=actor,
        ordered_at=at,
        recommended=e.recommended,
        rule=e.rule,
    )
    s.rollbacks.append(s.rollback)
    s.status, s.decision_needed_since = Status.ROLLING_BACK, None


def _rollback_approval(s: CutoverState, e: ev.RollbackApproval, at: datetime, actor: str) -> None:
    if s.rollback and s.rollback.procedure == e.procedure:
        s.rollback.verdicts.append((e.verdict, Approval(actor=actor, role=e.role, at=at, reason=e.note)))


def _rollback_checklist_opened(
    s: CutoverState, e: ev.RollbackChecklistOpened, at: datetime, actor: str
) -> None:
    if s.rollback:
        s.rollback.checklist_opened_at = at


def _rollback_item_confirmed(s: CutoverState, e: ev.RollbackItemConfirmed, at: datetime, actor: str) -> None:
    if s.rollback and s.rollback.procedure == e.procedure:
        s.rollback.confirmed[e.item] = Approval(actor=actor, role=e.role, at=at, reason=e.note)


def _rollback_completed(s: CutoverState, e: ev.RollbackCompleted, at: datetime, actor: str) -> None:
    if s.rollback:
        s.rollback.ended_at = at
    s.status, s.ended_at = Status.ROLLED_BACK, at


def _rollback_failed(s: CutoverState, e: ev.RollbackFailed, at: datetime, actor: str) -> None:
    if s.rollback:
        s.rollback.failed_step = e.step_id
    s.status = Status.ROLLBACK_FAILED


def _succeeded(s: CutoverState, e: ev.CutoverSucceeded, at: datetime, actor: str) -> None:
    s.status, s.ended_at = Status.SUCCEEDED, at


def _aborted(s: CutoverState, e: ev.CutoverAborted, at: datetime, actor: str) -> None:
    s.status, s.ended_at, s.aborted_reason = Status.ABORTED, at, e.reason
    if s.paused_since is not None:
        _resumed(s, ev.Resumed(), at, actor)


def _noted(s: CutoverState, e: ev.NoteAdded, at: datetime, actor: str) -> None:
    s.notes.append(Note(category=e.category, text=e.text, actor=actor, at=at))


def _denied(s: CutoverState, e: ev.CommandDenied, at: datetime, actor: str) -> None:
    s.denials += 1 + e.repeats


def _recheck_decision_needed(s: CutoverState) -> None:
    """A retried step or a reversed rejection clears the call for a decision once nothing is failed."""
    failing = any(run.status == StepStatus.FAILED for run in s.steps.values())
    rejected = any(gate.status == GateStatus.REJECTED for gate in s.gates.values())
    if not failing and not rejected:
        s.decision_needed_since = None


_HANDLERS: dict[type, Callable[..., None]] = {
    ev.CutoverPlanned: _planned,
    ev.WindowScheduled: _scheduled,
    ev.GoNoGoDecided: _decided,
    ev.CutoverStarted: _started,
    ev.StageOpened: _stage_opened,
    ev.StepStarted: _step_started,
    ev.StepDone: _step_done,
    ev.StepFailed: _step_failed,
    ev.GateOpened: _gate_opened,
    ev.GateApproved: _gate_approved,
    ev.GateRejected: _gate_rejected,
    ev.Paused: _paused,
    ev.Resumed: _resumed,
    ev.RollbackOrdered: _rollback_ordered,
    ev.RollbackApproval: _rollback_approval,
    ev.RollbackChecklistOpened: _rollback_checklist_opened,
    ev.RollbackItemConfirmed: _rollback_item_confirmed,
    ev.RollbackCompleted: _rollback_completed,
    ev.RollbackFailed: _rollback_failed,
    ev.CutoverSucceeded: _succeeded,
    ev.CutoverAborted: _aborted,
    ev.NoteAdded: _noted,
    ev.CommandDenied: _denied,
}
_HANDLERS.update(INTEGRITY_HANDLERS)  # go/no-go and data integrity events (cutover/integrity/state.py)
_HANDLERS.update(TIME_HANDLERS)  # time-driven coordination events (cutover/timeline/state.py)
_HANDLERS.update(REPORT_HANDLERS)  # the report asked for (cutover/report/events.py)
_HANDLERS.update(STATUS_PAGE_HANDLERS)  # status page updates published (cutover/status/events.py)
