"""The real-time scheduler for `serve`: APScheduler 3.11 as an alarm clock over the log.

One job with a fixed id, re-armed after every run at the next moment something falls due
(`bot.timeline.fire.next_moment`: step and gate deadlines, the status cadence, reminders,
communications, escalation repeats, monitoring checkpoints). The job function is module-level
and takes the scheduler's id only; it calls `fire_due(services, clock.now())`, which reads the
log, so nothing is pickled and a restart rebuilds everything: at start-up the job runs at once
and does, once and late, whatever fell due while the bot was down.

`coalesce=True` folds wake-ups that piled up into one run; `misfire_grace_time` is one hour:
a wake-up delayed by a stalled process still runs (and any older one is caught up by the
next run anyway, since the job fires everything due up to now). The alarm is never set more
than `max_sleep` ahead (`MAX_SLEEP`; `REPLICATED_SLEEP` when replicas share the database, so a
deadline a command on another replica created is seen within a second); a command in this
process re-arms it at once through `listener`. `lag` is how late the alarm last rang (/metrics).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import SystemClock
from bot.timeline.fire import fire_due, next_moment
from commands.context import Services

log = logging.getLogger(__name__)

JOB_ID = "cutover-timeline"
MISFIRE_GRACE_SECONDS = 3600
MAX_SLEEP = timedelta(minutes=5)
REPLICATED_SLEEP = timedelta(seconds=1)
_SCHEDULERS: dict[str, TimelineScheduler] = {}


def wake(scheduler_id: str) -> None:
    """The job: fire what is due now, then re-arm at the next deadline (module-level, ids only)."""
    scheduler = _SCHEDULERS.get(scheduler_id)
    if scheduler is not None:
        scheduler.tick()


class TimelineScheduler:
    """One alarm clock per store: fires due actions at their moments and re-arms itself."""

    def __init__(
        self, services: Services, scheduler_id: str = "default", max_sleep: timedelta = MAX_SLEEP
    ) -> None:
        self.services, self.id, self.max_sleep = services, scheduler_id, max_sleep
        self.lag = timedelta()
        for chatty in ("apscheduler.scheduler", "apscheduler.executors.default"):  # a line per wake-up
            logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger(chatty).level))
        self._lock = threading.Lock()
        self._aps = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
        )
        self.armed_at: datetime | None = None

    def start(self) -> None:
        """Start, and run at once: the schedule is rebuilt from the log, overdue actions fire late."""
        _SCHEDULERS[self.id] = self
        self._aps.start()
        self.arm(self.services.clock.now())

    def stop(self) -> None:
        """Stop the alarm clock (nothing is lost: the log says what is still due)."""
        if self._aps.running:
            self._aps.shutdown(wait=False)
        _SCHEDULERS.pop(self.id, None)
        if self.listener in self.services.listeners:
            self.services.listeners.remove(self.listener)

    def tick(self) -> None:
        """Fire what is due now and set the alarm for the next moment."""
        with self._lock:
            now = self.services.clock.now()
            if self.armed_at is not None:
                self.lag = max(timedelta(), now - self.armed_at)
            try:
                fire_due(self.services, now)
                upcoming = next_moment(self.services, now)
            except Exception:  # noqa: BLE001 - the alarm clock must keep ticking (the database may be back soon)
                log.exception("firing due actions failed; trying again in a minute")
                upcoming = now + timedelta(minutes=1)
            self.arm(upcoming)

    def arm(self, when: datetime | None) -> None:
        """Set the single job to run at `when` (at most MAX_SLEEP ahead) on the services' clock."""
        now = self.services.clock.now()
        when = min(when or now + self.max_sleep, now + self.max_sleep)
        self.armed_at = when
        if self._aps.running:
            # APScheduler waits in real time: run after the same delay the services' clock says
            # (identical with the SystemClock; lets a virtual clock drive it in tests).
            run_date = SystemClock().now() + max(timedelta(), when - now)
            self._aps.add_job(
                wake, "date", run_date=run_date, args=[self.id], id=JOB_ID, replace_existing=True
            )

    def listener(self, services: Services, state, recorded) -> None:
        """A `services.listeners` entry: after a command, look again at once (a rollback's banner, T+0...)."""
        if not self._lock.locked():  # the tick's own records need no extra wake-up
            self.arm(services.clock.now())


def start_scheduler(services: Services, max_sleep: timedelta = MAX_SLEEP) -> TimelineScheduler:
    """Build, register as a listener, and start the scheduler for `serve`; `stop()` it on shutdown."""
    scheduler = TimelineScheduler(services, max_sleep=max_sleep)
    services.listeners.append(scheduler.listener)
    scheduler.start()
    return scheduler
