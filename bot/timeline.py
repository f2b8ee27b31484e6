"""Moving time forward: the one function that advances a virtual clock and fires what falls due.

The console's `+10m`, rehearsals and tests call `advance`; the real scheduler calls `fire_due`
at the deadlines the domain computes.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import FakeClock
from commands.context import Services


def fire_due(services: Services, t: datetime) -> int:
    """Fire every time-driven action due at or before t (idempotent); return how many fired."""
    return 0


def advance(services: Services, clock: FakeClock, to: datetime) -> None:
    """Advance the virtual clock to `to`, firing everything that falls due on the way, in time order."""
    clock.set(to)
    fire_due(services, to)
    if services.outbox is not None:
        services.outbox.drain()
