"""Claims: a deliverer sends a row only while it holds the row's lease (storage/outbox.py `begin_send`).

Each deliverer has its own identity (host, pid, a random part: a restarted process is another one).
`LEASE` is longer than the Slack client's timeout (`SLACK_TIMEOUT_S`), so when a lease ends the call
made under it has ended too: a deliverer that stalled and comes back after its lease checks
`still_ours` before its call and sends nothing; one that takes over a row after a crash waits out
the dead one's lease, then looks for the message before sending it (bot/outbox/lookup.py).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from commands.context import Clock
from storage import outbox as store

SLACK_TIMEOUT_S = 10  # bot/slack/app.py `slack_client`: a call never outlives a lease
LEASE = timedelta(seconds=15)


class SendClaims:
    """Claims rows for this deliverer; `may_send` says whether it may send at all (the leader's fence)."""

    def __init__(self, db: Engine, clock: Clock, writes: threading.Lock) -> None:
        self.db, self.clock, self._writes = db, clock, writes
        self.owner = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.may_send: Callable[[], bool] = lambda: True

    def begin(self, row: store.OutboxRow) -> store.Claim | None:
        """Claim the row for one send (None: sent meanwhile, or leased to another deliverer)."""
        if row.id is None:  # a row read from the table always has its id
            return None
        with self._writes:
            return store.begin_send(
                engine=self.db, row_id=row.id, owner=self.owner, now=self.clock.now(), lease=LEASE
            )

    def still_ours(self, claim: store.Claim) -> bool:
        """True while the claim's lease runs and this deliverer may send (checked right before the call)."""
        return self.clock.now() < claim.lease_until and self.may_send()
