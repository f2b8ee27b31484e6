"""Events of time-driven coordination: status cadence, reminders, communications,
escalations, degradation levels, alarms and extended monitoring.

Each fired action carries the key that made it idempotent, so the state knows what already fired.
"""

from __future__ import annotations

from typing import Any

from cutover.events import Event, event_kind


@event_kind("status.posted")
class StatusPosted(Event):
    key: str


@event_kind("lead.reminded")
class LeadReminded(Event):
    key: str
    phase: str
    to: list[str]


@event_kind("comm.sent")
class CommSent(Event):
    comm_id: str
    audiences: list[str]
    subject: str
    late_by_s: float = 0.0


@event_kind("comm.acknowledged")
class CommAcknowledged(Event):
    comm_id: str
    audience: str = ""


@event_kind("comm.cancelled")
class CommCancelled(Event):
    comm_id: str
    reason: str = ""  # logs written before codes: the sentence; new events leave it empty and carry `code`
    code: str = ""  # why: aborted, complete_before_due, superseded, no_rollback, no_emergency


@event_kind("escalation.sent")
class EscalationSent(Event):
    key: str
    trigger: str
    roles: list[str]
    to: list[str]
    ref: str
    reason: str
    attempt: int = 1


@event_kind("escalation.acknowledged")
class EscalationAcknowledged(Event):
    key: str


@event_kind("escalation.snoozed")
class EscalationSnoozed(Event):
    key: str
    until: str  # ISO 8601 UTC


@event_kind("rollback.default_recommended")
class DefaultRollbackRecommended(Event):
    procedure: str
    reason: str
    since: str = ""  # the decision_needed_since it answers (ISO 8601)


@event_kind("sla.warning")
class SlaWarning(Event):
    """The cutover has been under way for the runbook's SLA warning time (seed 4.2: < 60 minutes)."""

    elapsed_s: float
    limit_s: float


@event_kind("sla.breached")
class SlaBreached(Event):
    """The acceptable downtime is exceeded: announced to every audience, one degradation level up."""

    elapsed_s: float
    level: int  # the degradation level it moves to


@event_kind("degradation.changed")
class DegradationChanged(Event):
    level: int
    banner: str


@event_kind("alarm.critical")
class CriticalAlarm(Event):
    alarms: list[str]  # empty: the alarms cleared


@event_kind("monitoring.checkpoint")
class MonitoringCheckpoint(Event):
    window: str
    metrics: dict[str, Any]
    thresholds: dict[str, Any]
    breaches: list[str]
    key: str = ""
