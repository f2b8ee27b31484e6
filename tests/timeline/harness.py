"""A bot on a virtual clock with the persistent outbox over a fake Slack and a fake SES."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.bootstrap import build_services
from bot.clock import FakeClock
from bot.slack.announcer import announce
from bot.timeline.fire import advance
from tests.support.bot import CommandBot


class FakeSes:
    """Records send_email calls; fails the next n on demand."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.failures = 0

    def send_email(self, **kwargs):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("Throttling: Maximum sending rate exceeded")
        self.sent.append(kwargs)
        return {"MessageId": str(len(self.sent))}


class TimedBot(CommandBot):
    """CommandBot whose time moves through `bot.timeline.fire.advance` and whose messages reach a fake Slack."""

    def __init__(
        self,
        plan,
        roster,
        database_url: str,
        start: datetime | FakeClock,
        slack,
        ses=None,
        probes=None,
        templates_dir: str | None = None,
    ) -> None:
        self.plan, self.roster, self.last_error = plan, roster, None
        self.clock = start if isinstance(start, FakeClock) else FakeClock(start)
        self.slack, self.ses = slack, ses if ses is not None else FakeSes()
        client = WebClient(token="xoxb-test", base_url=slack.url, timeout=2, retry_handlers=[])
        self.services = build_services(
            runbook=plan,
            roster=roster,
            database_url=database_url,
            clock=self.clock,
            slack_client=client,
            ses_client=self.ses,
            templates_dir=templates_dir,
        )
        self.services.probes = probes
        self.services.listeners.append(announce)

    def advance(self, minutes: float = 0, seconds: float = 0, hours: float = 0, days: float = 0) -> None:
        """Move the virtual clock forward, firing and delivering what falls due on the way."""
        advance(
            self.services,
            self.clock,
            self.clock.now() + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds),
        )

    def until(self, moment: datetime) -> None:
        """Advance to a moment."""
        advance(self.services, self.clock, moment)

    def posts(self, contains: str = "", channel: str | None = None) -> list[dict]:
        """Messages Slack received (chat.postMessage args), optionally filtered by text and channel."""
        return [
            c["args"]
            for c in self.slack.calls_to("chat.postMessage")
            if contains in c["args"].get("text", "") and (channel is None or c["args"]["channel"] == channel)
        ]

    def emails(self, subject: str = "") -> list[dict]:
        """Emails SES accepted, optionally filtered by subject."""
        return [m for m in self.ses.sent if subject in m["Message"]["Subject"]["Data"]]


def events(bot: CommandBot, kind: str | None = None) -> list:
    """The current cutover's recorded events (optionally of one kind)."""
    from storage.eventlog import history

    state = bot.state
    found = history(engine=bot.services.ledger.db, cutover_id=state.cutover_id)
    return [r for r in found if kind is None or r.event.kind == kind]


def run_to_success(bot: CommandBot, step_minutes: float = 1.0) -> None:
    """Every phase's steps done (each taking `step_minutes`), every gate approved by its approvers."""
    plan = bot.plan
    for stage in plan.stages:
        for phase in stage:
            for step in phase.steps:
                if bot.state.step(step.id).status != "done":
                    bot.do_step(step.id, minutes=step_minutes)
        for gate in plan.gates_after_stage(stage[0].stage):
            people = []
            for role in gate.approvers if gate.approval == "all" else gate.approvers[:1]:
                person = next(m.slack_id for m in bot.roster.members_of(role) if m.slack_id not in people)
                people.append(person)
            for person in people:
                bot.ok(f"gate approve {gate.number}", person)
