"""The events of a cutover: frozen facts, the only thing the log stores and the state is folded from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, TypeVar, dataclass_transform


@dataclass(frozen=True)
class Event:
    """Base of every event; `kind` names it in the log."""

    kind: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        """The event's fields as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Recorded:
    """An event as the log holds it: its position, time and author."""

    seq: int
    at: datetime
    actor: str
    event: Event


EVENT_TYPES: dict[str, type[Event]] = {}


E = TypeVar("E", bound=type[Event])


@dataclass_transform(frozen_default=True)
def event_kind(kind: str) -> Callable[[E], E]:
    """Class decorator: make an event dataclass and register it under its kind (modules add their own)."""

    def register(cls: E) -> E:
        cls.kind = kind
        EVENT_TYPES[kind] = cls
        dataclass(frozen=True)(cls)  # made a dataclass in place: the class itself
        return cls

    return register


@event_kind("cutover.planned")
class CutoverPlanned(Event):
    runbook_id: str
    title: str


@event_kind("cutover.scheduled")
class WindowScheduled(Event):
    window_start: str  # ISO 8601, UTC
    timezone: str  # the zone the person wrote the time in


@event_kind("gonogo.decided")
class GoNoGoDecided(Event):
    decision: str  # "go" or "no-go"
    reason: str


@event_kind("cutover.started")
class CutoverStarted(Event):
    pass


@event_kind("stage.opened")
class StageOpened(Event):
    stage: int
    final: bool = False  # the last stage: the cutover is validating


@event_kind("step.started")
class StepStarted(Event):
    step_id: str
    note: str = ""


@event_kind("step.done")
class StepDone(Event):
    step_id: str
    note: str = ""


@event_kind("step.failed")
class StepFailed(Event):
    step_id: str
    note: str = ""


@event_kind("path.stopped")
class PathStopped(Event):
    """Seed 2.4 "if either path fails, abort both": a concurrent phase stops because its sibling failed."""

    phase: str
    failed_step: str  # the sibling's step that failed
    running: list[str]  # this phase's steps in progress: their people stop and report


@event_kind("gate.opened")
class GateOpened(Event):
    gate: int


@event_kind("gate.approved")
class GateApproved(Event):
    gate: int
    role: str
    reason: str = ""
    complete: bool = True  # this approval satisfies the gate (Gate 5 needs two)


@event_kind("gate.rejected")
class GateRejected(Event):
    gate: int
    role: str
    reason: str


@event_kind("cutover.paused")
class Paused(Event):
    reason: str


@event_kind("cutover.resumed")
class Resumed(Event):
    pass


@event_kind("rollback.ordered")
class RollbackOrdered(Event):
    procedure: str
    reason: str
    recommended: str = ""
    rule: str = ""  # set when the runbook's rule ordered it (decision_timeout), not a person


@event_kind("rollback.approval")
class RollbackApproval(Event):
    """Management's answer to a rollback it was asked to approve (seed 4.3); it never blocks the rollback."""

    procedure: str
    verdict: str  # approve | object
    role: str
    note: str = ""


@event_kind("rollback.checklist_opened")
class RollbackChecklistOpened(Event):
    """Every step of the rollback is done: its validation checklist (seed 4.4) awaits its roles."""

    procedure: str


@event_kind("rollback.item_confirmed")
class RollbackItemConfirmed(Event):
    """One post-rollback validation item confirmed by its role (1-based, as the runbook lists them)."""

    procedure: str
    item: int
    role: str
    note: str = ""


@event_kind("rollback.completed")
class RollbackCompleted(Event):
    procedure: str


@event_kind("rollback.failed")
class RollbackFailed(Event):
    procedure: str
    step_id: str


@event_kind("cutover.succeeded")
class CutoverSucceeded(Event):
    pass


@event_kind("cutover.aborted")
class CutoverAborted(Event):
    reason: str


@event_kind("note.added")
class NoteAdded(Event):
    category: str  # "issue" or "lesson"
    text: str


@event_kind("command.denied")
class CommandDenied(Event):
    action: str
    roles: list[str]
    reason: str  # a code of cutover.raci.Decision (an English sentence in logs written before codes)
    held: list[str] = field(default_factory=list)  # the asker's roles
    repeats: int = 0  # the person's denials since their previous recorded one, counted but not recorded


def event_from(kind: str, payload: dict[str, Any]) -> Event:
    """Rebuild an event from its stored kind and payload; unknown kinds are kept as opaque events."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        return Opaque(kind_name=kind, data=payload)
    names = _field_names(cls)
    return cls(**{k: v for k, v in payload.items() if k in names})


_FIELD_NAMES: dict[type[Event], frozenset[str]] = {}


def _field_names(cls: type[Event]) -> frozenset[str]:
    """The field names of an event class (cached: reading a long log rebuilds 100,000 events)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


@dataclass(frozen=True)
class Opaque(Event):
    """An event of a kind this version does not know (written by a newer bot); folded as a no-op."""

    kind_name: str = ""
    data: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        """The original payload, unchanged."""
        return dict(self.data or {})


def kind_of(event: Event) -> str:
    """The kind an event is stored under."""
    return event.kind_name if isinstance(event, Opaque) else event.kind
