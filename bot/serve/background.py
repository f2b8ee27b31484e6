"""What runs beside the server: the outbox `serve` wires, and the background workers it starts.

This is the one place to plug in the persistent outbox (bot/outbox/persistent.py) and the scheduler: change
`make_outbox` to return the persistent one, and start the scheduler in `start_background`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient

from bot.outbox.persistent import PersistentOutbox
from bot.timeline.scheduler import start_scheduler
from commands.context import Outbox, Services

log = logging.getLogger("cutover.serve")

Stop = Callable[[], None]


def make_outbox(services: Services, client: WebClient) -> Outbox:
    """The outbox `serve` uses: the persistent one (rows in the database, delivered with retries).

    Email goes through `services.extras["ses"]` (a boto3 SES client) when one is wired; without it
    email rows are marked failed ("not configured") and block nothing else. Until `start_background`
    starts its deliverer thread, each enqueue delivers at once (what a server without workers expects).
    """
    return PersistentOutbox(
        services.ledger.db,
        services.clock,
        slack=client,
        ses=services.extras.get("ses"),
        ses_source=services.extras.get("ses_source", "cutover-bot@example.com"),
        inline_without_thread=True,
        workers=4,
        templates_dir=services.templates_dir,
    )


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
