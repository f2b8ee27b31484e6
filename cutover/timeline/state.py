"""What the cutover state knows of time-driven actions, folded from its events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cutover.timeline import events as te


@dataclass
class Episode:
    """One escalation (a trigger on one subject) and its pings so far."""

    trigger: str
    ref: str
    roles: list[str]
    attempts: int
    first_at: datetime
    last_at: datetime
    to: list[str]


@dataclass
class CommRecord:
    """A communication sent, or cancelled, and who acknowledged it."""

    sent_at: datetime | None = None
    subject: str = ""
    late_by_s: float = 0.0
    cancelled_at: datetime | None = None
    cancel_reason: str = ""  # a log written before codes: the sentence
    cancel_code: str = ""  # templates/time/_cancel_words.j2 words it
    acks: list[tuple[str, str, datetime]] = field(default_factory=list)  # (actor, audience, at)


@dataclass
class TimeState:
    """Keys already fired, communications, escalations, the announced degradation level, alarms."""

    fired: dict[str, datetime] = field(default_factory=dict)
    comms: dict[str, CommRecord] = field(default_factory=dict)
    episodes: dict[str, Episode] = field(default_factory=dict)
    acknowledged: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    snoozed_until: dict[str, datetime] = field(default_factory=dict)
    defaults_recommended: dict[str, datetime] = field(default_factory=dict)  # since -> at
    degradation: int = 0
    degradation_at: datetime | None = None
    sla_warned_at: datetime | None = None
    sla_breached_at: datetime | None = None
    alarms: list[str] = field(default_factory=list)
    alarms_at: datetime | None = None
    checkpoints: list[te.MonitoringCheckpoint] = field(default_factory=list)
    checkpoint_at: dict[str, datetime] = field(default_factory=dict)

    def comm(self, comm_id: str) -> CommRecord:
        """The record of a communication (an empty one when nothing happened to it)."""
        return self.comms.get(comm_id) or CommRecord()


def _status(s, e: te.StatusPosted, at: datetime, actor: str) -> None:
    s.time.fired[e.key] = at


def _reminded(s, e: te.LeadReminded, at: datetime, actor: str) -> None:
    s.time.fired[e.key] = at


def _comm_sent(s, e: te.CommSent, at: datetime, actor: str) -> None:
    record = s.time.comms.setdefault(e.comm_id, CommRecord())
    record.sent_at, record.late_by_s, record.subject = at, e.late_by_s, e.subject


def _comm_ack(s, e: te.CommAcknowledged, at: datetime, actor: str) -> None:
    s.time.comms.setdefault(e.comm_id, CommRecord()).acks.append((actor, e.audience, at))


def _comm_cancelled(s, e: te.CommCancelled, at: datetime, actor: str) -> None:
    record = s.time.comms.setdefault(e.comm_id, CommRecord())
    record.cancelled_at, record.cancel_reason, record.cancel_code = at, e.reason, e.code


def _escalated(s, e: te.EscalationSent, at: datetime, actor: str) -> None:
    episode = s.time.episodes.get(e.key)
    if episode is None:
        s.time.episodes[e.key] = Episode(e.trigger, e.ref, list(e.roles), e.attempt, at, at, list(e.to))
    else:
        episode.attempts, episode.last_at, episode.to = e.attempt, at, list(e.to)


def _acknowledged(s, e: te.EscalationAcknowledged, at: datetime, actor: str) -> None:
    s.time.acknowledged.setdefault(e.key, (actor, at))


def _snoozed(s, e: te.EscalationSnoozed, at: datetime, actor: str) -> None:
    s.time.snoozed_until[e.key] = datetime.fromisoformat(e.until)


def _default(s, e: te.DefaultRollbackRecommended, at: datetime, actor: str) -> None:
    s.time.defaults_recommended[e.since] = at


def _degradation(s, e: te.DegradationChanged, at: datetime, actor: str) -> None:
    s.time.degradation, s.time.degradation_at = e.level, at


def _sla_warning(s, e: te.SlaWarning, at: datetime, actor: str) -> None:
    s.time.sla_warned_at = at


def _sla_breached(s, e: te.SlaBreached, at: datetime, actor: str) -> None:
    s.time.sla_breached_at = at


def _alarm(s, e: te.CriticalAlarm, at: datetime, actor: str) -> None:
    s.time.alarms, s.time.alarms_at = list(e.alarms), at


def _checkpoint(s, e: te.MonitoringCheckpoint, at: datetime, actor: str) -> None:
    s.time.checkpoints.append(e)
    s.time.checkpoint_at[e.key] = at


TIME_HANDLERS: dict[type, Callable[..., None]] = {
    te.StatusPosted: _status,
    te.LeadReminded: _reminded,
    te.CommSent: _comm_sent,
    te.CommAcknowledged: _comm_ack,
    te.CommCancelled: _comm_cancelled,
    te.EscalationSent: _escalated,
    te.EscalationAcknowledged: _acknowledged,
    te.EscalationSnoozed: _snoozed,
    te.DefaultRollbackRecommended: _default,
    te.DegradationChanged: _degradation,
    te.SlaWarning: _sla_warning,
    te.SlaBreached: _sla_breached,
    te.CriticalAlarm: _alarm,
    te.MonitoringCheckpoint: _checkpoint,
}
