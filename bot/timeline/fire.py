"""Moving time forward: fire what falls due, in time order, from the log alone.

`fire_due(services, t)` fires every time-driven action due at or before t, idempotently (each
fired action is an event with a key such as `comm:T-24h:<cutover>`); the real scheduler
(bot/timeline/scheduler.py) calls it at the deadlines `next_moment` computes. `advance(services, clock,
to)` steps a virtual clock to each due moment in turn, firing and delivering as it goes: the
console's `+10m`, rehearsals and tests.

Due sources are registered here: the timekeeping (status cadence, reminders, comms,
escalations, degradation, monitoring) is the first; other features add theirs with
`register_source(Source(...))`. A source lists candidates (due by t, plus the next future ones)
and fires one; a fired candidate must not be listed again (its event's key says it fired).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import FakeClock
from bot.integrity import schedule as integrity_schedule
from bot.report import jobs as report_jobs
from bot.status import publish as status_publish
from bot.timeline.actions import fire as fire_timekeeping
from bot.timeline.monitoring import poll_alarms
from commands.context import Services
from cutover.state import UNDERWAY, CutoverState
from cutover.timeline import timekeeping
from cutover.timeline.due import DueAction

log = logging.getLogger(__name__)
MAX_FIRES_PER_CALL = 10_000  # a runaway source is a bug: stop and say so rather than spin


@dataclass(frozen=True)
class Source:
    """A feature's time-driven actions: what is due (and next) for a cutover, and how to fire one."""

    name: str
    candidates: Callable[[Services, CutoverState, datetime], list[DueAction]]
    fire: Callable[[Services, CutoverState, DueAction, datetime], None]


SOURCES: list[Source] = [
    Source(
        "timekeeping",
        lambda services, state, t: timekeeping.candidates(state, services.plan, t),
        fire_timekeeping,
    ),
    # data integrity: checklist every 30 min from T-24h, baseline at T-1h, reconciliation at completion + 24 h
    Source("integrity", integrity_schedule.candidates, integrity_schedule.fire),
    # the report, 15 min before the T+24h communication that links to it
    Source("report", report_jobs.due_candidates, report_jobs.fire_due_report),
    # the public status page, S3, Statuspage and the CloudWatch dashboard: at each change and every 5 min
    Source("status_page", status_publish.candidates, status_publish.fire),
]


def register_source(source: Source) -> None:
    """Add a feature's due-source (once per name)."""
    if all(s.name != source.name for s in SOURCES):
        SOURCES.append(source)


def _due(services: Services, state: CutoverState, t: datetime) -> list[tuple[DueAction, Source]]:
    found = []
    for source in SOURCES:
        try:
            found += [(a, source) for a in source.candidates(services, state, t) if a.at <= t]
        except Exception:  # noqa: BLE001 - one broken source never stops the others
            log.exception("due-source %s failed for %s", source.name, state.cutover_id)
    return sorted(found, key=lambda pair: timekeeping.order(pair[0]))


def fire_due(services: Services, t: datetime) -> int:
    """Fire every time-driven action due at or before t (idempotent), in time order; return how many fired."""
    fired = 0
    for cutover_id in services.ledger.ids():
        state = services.ledger.state(cutover_id)
        if state.status in UNDERWAY:
            poll_alarms(services, state, t)
        tried: set[str] = set()
        while fired < MAX_FIRES_PER_CALL:
            state = services.ledger.state(cutover_id)
            pending = [(a, s) for a, s in _due(services, state, t) if a.key not in tried]
            if not pending:
                break
            action, source = pending[0]
            tried.add(action.key)
            try:
                source.fire(services, state, action, t)
                fired += 1
            except Exception:  # noqa: BLE001 - one failing action never blocks the others; it stays due
                log.exception("time-driven action %s failed; it stays due", action.key)
    return fired


def next_moment(services: Services, t: datetime) -> datetime | None:
    """The first moment after t when any cutover has something due."""
    moments = []
    for cutover_id in services.ledger.ids():
        state = services.ledger.state(cutover_id)
        for source in SOURCES:
            try:
                moments += [a.at for a in source.candidates(services, state, t) if a.at > t]
            except Exception:  # noqa: BLE001
                log.exception("due-source %s failed for %s", source.name, cutover_id)
    return min(moments, default=None)


def advance(services: Services, clock: FakeClock, to: datetime) -> None:
    """Advance the virtual clock to `to`, firing everything that falls due on the way, in time order."""
    while True:
        now = clock.now()
        fire_due(services, now)
        _drain(services)
        upcoming = next_moment(services, now)
        if upcoming is None or upcoming > to:
            break
        clock.set(upcoming)
    if clock.now() < to:
        clock.set(to)
        fire_due(services, to)
        _drain(services)


def _drain(services: Services) -> None:
    """On a virtual clock, jobs started by what fired finish at that moment, then their messages go out."""
    for jobs in (services.integrity, services.reports):  # the jobs that may run in a worker thread
        if jobs is not None:
            jobs.wait()
    if services.outbox is not None:
        services.outbox.drain()
