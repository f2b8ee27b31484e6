"""A command bot with the integrity jobs wired inline over a fake platform, and a recording outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.integrity.jobs import wire
from bot.probes.archive import MemoryArchive
from bot.probes.fakes import FakeInfrastructure
from tests.support.bot import CommandBot

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class RecordingOutbox:
    """Keeps every queued call (idempotent by key), delivering nothing."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self._keys: set[str] = set()

    def enqueue(
        self, *, method: str, args: dict[str, Any], key: str, order: str = "", save_ts_as: str | None = None
    ) -> None:
        """Record the call once per key."""
        if key not in self._keys:
            self._keys.add(key)
            self.calls.append({"method": method, "args": args, "key": key, "order": order})

    def drain(self) -> int:
        """Nothing to deliver."""
        return 0

    def texts(self) -> list[str]:
        """The text of every Slack post so far."""
        return [
            c["args"]["text"] for c in self.calls if c["method"] == "chat.postMessage" and "text" in c["args"]
        ]


def integrity_bot(
    plan,
    roster,
    infra: FakeInfrastructure | None = None,
    start: datetime = T0,
    probes: Any = "fake",
    database_url: str = "sqlite://",
) -> tuple[CommandBot, FakeInfrastructure, MemoryArchive, RecordingOutbox]:
    """A bot whose probes read a fake platform (healthy unless told otherwise); jobs run inline."""
    bot = CommandBot(plan, roster, database_url, start)
    infra = infra or FakeInfrastructure.for_plan(plan)
    archive, outbox = MemoryArchive(), RecordingOutbox()
    bot.services.outbox = outbox
    wire(bot.services, probes=infra.probes() if probes == "fake" else probes, archive=archive, inline=True)
    return bot, infra, archive, outbox


def confirm_everything(bot: CommandBot) -> None:
    """Every manual confirmation, each by its owner; rehearsals and comms acknowledgements recorded."""
    plan = bot.plan
    for role in plan.business.required_roles:
        bot.ok("go-nogo confirm standby", next(m.slack_id for m in bot.roster.members_of(role) if m.on_call))
    bot.ok("go-nogo confirm incident_response bridge open", bot.person("incident_commander"))
    for dep in plan.business.external_dependencies:
        if not dep.health_url:
            bot.ok(f"go-nogo confirm {dep.key}", bot.person("operations"))
