"""A bot on a virtual clock whose status page is published (S3 and CloudWatch under moto, a fake Statuspage)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.timeline.fire import advance
from storage import eventlog
from tests.support.bot import CommandBot

WINDOW = "2026-12-02 02:00"


class StatusBot(CommandBot):
    """CommandBot whose time moves through the timeline (so the status page is published as in serve)."""

    def advance(self, minutes: float = 0, seconds: float = 0) -> None:
        """Move the virtual clock forward, firing what falls due on the way."""
        advance(self.services, self.clock, self.clock.now() + timedelta(minutes=minutes, seconds=seconds))

    def until(self, moment: datetime) -> None:
        """Move the virtual clock to a moment, firing what falls due on the way."""
        advance(self.services, self.clock, moment)

    def published(self) -> list[tuple[datetime, dict]]:
        """(at, payload) of every status_page.published event of the current cutover."""
        history = eventlog.history(engine=self.services.ledger.db, cutover_id=self.state.cutover_id)
        return [(r.at, r.event.payload()) for r in history if r.event.kind == "status_page.published"]

    def succeed(self) -> None:
        """Every stage done and every gate approved, one minute a step."""
        self.through_phase0()
        ic = self.person("incident_commander")
        for sid in ("1A.1", "1A.2", "1A.3", "1A.4", "1B.1", "1B.2", "1B.3", "1B.4"):
            self.do_step(sid)
        self.ok("gate approve 2", ic)
        self.ok("gate approve 3", ic)
        for sid in ("2A.1", "2A.2", "2B.1", "2B.2"):
            self.do_step(sid)
        self.ok("gate approve 4", ic)
        for sid in ("3.1", "3.2", "3.3", "3.4"):
            self.do_step(sid)
        self.ok("gate approve 5", ic)
        self.ok("gate approve 5", self.person("management"))
