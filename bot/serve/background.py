"""What runs beside the server: the background workers `serve` starts and stops.

The outbox's deliverer thread (bot/outbox/persistent.py; wired by `bot.bootstrap.wire_bot` with
delivery "background") and the scheduler (bot/timeline/scheduler.py) start here; one function stops them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.timeline.scheduler import start_scheduler
from commands.context import Services

log = logging.getLogger("cutover.serve")

Stop = Callable[[], None]


def start_background(services: Services) -> Stop:
    """Start the background workers (outbox delivery, scheduler); return one function that stops them all."""
    stops: list[Stop] = []
    outbox = services.outbox
    if callable(getattr(outbox, "start", None)) and callable(getattr(outbox, "stop", None)):
        outbox.start()  # type: ignore[union-attr]
        stops.append(outbox.stop)  # type: ignore[union-attr]
    stops.append(start_scheduler(services).stop)  # the alarm clock over the log (bot/timeline/scheduler.py)

    def stop_all() -> None:
        for stop in reversed(stops):
            try:
                stop()
            except Exception:  # noqa: BLE001 - stopping one worker must not keep the others running
                log.exception("a background worker did not stop cleanly")

    return stop_all
