"""What runs beside the server: the background workers `serve` starts and stops.

The outbox's deliverer thread (bot/outbox/persistent.py; wired by `bot.bootstrap.wire_bot` with
delivery "background") and the scheduler (bot/timeline/scheduler.py) start here; one function stops
them all. On SQLite they start with the server: one `serve` per file (bot/serve/single_instance.py).
On PostgreSQL any number of replicas may share the database, and only the elected leader
(bot/serve/leader.py) runs them; the others ack commands and queue rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import make_url

from bot.serve.leader import Leadership
from bot.serve.metrics import Metrics
from bot.timeline.scheduler import MAX_SLEEP, REPLICATED_SLEEP, start_scheduler
from commands.context import Services

log = logging.getLogger("cutover.serve")

Stop = Callable[[], None]


def replicas_possible(database_url: str) -> bool:
    """True on PostgreSQL, where several `serve` processes may share the database."""
    from storage.db import normalize_url

    return make_url(normalize_url(database_url)).get_backend_name() == "postgresql"


def run_background(services: Services, metrics: Metrics | None = None) -> Stop:
    """Start the workers now (SQLite), or campaign for leadership and run them while leading (PostgreSQL)."""
    database = services.ledger.db
    if database.dialect.name != "postgresql":
        if metrics is not None:
            metrics.leader.set(1)
        return start_background(services, metrics=metrics)
    leadership = Leadership(database, lambda: start_background(services, replicated=True, metrics=metrics))
    if metrics is not None:
        metrics.leader.set_function(lambda: 1.0 if leadership.leading else 0.0)
    claims = getattr(getattr(services.outbox, "deliverer", None), "claims", None)
    if claims is not None:  # a deliverer that lost the lock sends nothing more, even mid-pass
        claims.may_send = lambda: leadership.leading
    return leadership.start().stop


def start_background(services: Services, *, replicated: bool = False, metrics: Metrics | None = None) -> Stop:
    """Start the background workers (outbox delivery, scheduler); return one function that stops them all."""
    stops: list[Stop] = []
    outbox = services.outbox
    if callable(getattr(outbox, "start", None)) and callable(getattr(outbox, "stop", None)):
        outbox.start()  # type: ignore[union-attr]
        stops.append(outbox.stop)  # type: ignore[union-attr]
    # the alarm clock over the log (bot/timeline/scheduler.py); with replicas it looks every second
    scheduler = start_scheduler(services, max_sleep=REPLICATED_SLEEP if replicated else MAX_SLEEP)
    stops.append(scheduler.stop)
    if metrics is not None:
        metrics.timer_lag.set_function(lambda: scheduler.lag.total_seconds())

    def stop_all() -> None:
        for stop in reversed(stops):
            try:
                stop()
            except Exception:  # noqa: BLE001 - stopping one worker must not keep the others running
                log.exception("a background worker did not stop cleanly")

    return stop_all
