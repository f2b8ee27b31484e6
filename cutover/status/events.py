"""The status page's events: an update published (to the page's history, S3, Statuspage, CloudWatch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cutover.events import Event, event_kind


@event_kind("status_page.published")
class StatusPublished(Event):
    key: str
    phase: str  # the page's reason code: scheduled, in_progress, paused, rolling_back, ...
    level: int
    colour: str  # green, yellow, red
    eta: str = ""  # ISO 8601, "" when unknown
    targets: list[str] | None = None  # where it went: s3, statuspage, cloudwatch
    failures: list[str] | None = None  # "status_s3: AccessDenied", ...
    refs: dict[str, str] | None = None  # ids a target gave back (the Statuspage maintenance's id)


@dataclass(frozen=True)
class Update:
    """One published update, as the page's history lists it."""

    at: datetime
    phase: str
    level: int
    colour: str
    eta: datetime | None


@dataclass
class StatusPageState:
    """The updates published so far."""

    updates: list[Update] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    refs: dict[str, str] = field(default_factory=dict)

    @property
    def last(self) -> Update | None:
        """The latest update published, if any."""
        return self.updates[-1] if self.updates else None


def _published(state, event: StatusPublished, at: datetime, actor: str) -> None:
    eta = datetime.fromisoformat(event.eta) if event.eta else None
    state.status_page.updates.append(Update(at, event.phase, event.level, event.colour, eta))
    state.status_page.keys.add(event.key)
    state.status_page.refs.update(event.refs or {})


STATUS_PAGE_HANDLERS: dict[type, Callable[..., None]] = {StatusPublished: _published}
