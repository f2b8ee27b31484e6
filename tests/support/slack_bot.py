"""A `cutover_bot` for tests: the real Bolt app with signed requests, a recording client, a virtual clock.

cutover_bot.run("status", as_user=IC)                -> the ack's answer (dict)
cutover_bot.click("step_done", "0.1", as_user=OPS)   -> the ephemeral answers shown to the clicker
cutover_bot.posted()                                 -> chat.postMessage args, in order
cutover_bot.advance(minutes=5)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.slack.session import SlackSession
from cutover.plan.model import Runbook
from cutover.roster import Roster
from cutover.state import CutoverState
from tests.support.bot import RosterSteps

IC, OPS, OPS2, DBA, NET, APP, MGMT = (
    "U01AAAA",
    "U01BBBB",
    "U01CCCC",
    "U02BBBB",
    "U02DDDD",
    "U02EEEE",
    "U03AAAA",
)


class CutoverSlackBot(RosterSteps):
    """Drives the bot as Slack users would; every request goes through `App.dispatch`."""

    def __init__(
        self, plan: Runbook, roster: Roster, start: datetime, database_url: str = "sqlite://"
    ) -> None:
        self.plan, self.roster = plan, roster
        self.session = SlackSession(plan=plan, roster=roster, start=start, database_url=database_url)
        self.services = self.session.services
        self.client = self.session.client

    def run(self, text: str, as_user: str) -> dict[str, Any]:
        """`/cutover <text>` typed by a user; the answer Slack shows ({"response_type", "text", "blocks"})."""
        return self.session.command(as_user, text)

    def click(
        self, action_id: str, value: str | None = None, as_user: str = IC, reason: str = ""
    ) -> list[str]:
        """Press the newest button with this action id (and value); return the texts shown to the clicker."""
        words = ([value] if value is not None else []) + reason.split()
        return [m.text for m in self.session.click(as_user, action_id, words)]

    def ok(self, text: str, as_user: str) -> str:
        """`/cutover <text>` that must not be refused; the answer's text."""
        answer = self.run(text, as_user=as_user)["text"]
        assert not answer.startswith((":no_entry:", ":lock:", ":warning:")), f"/cutover {text}: {answer}"
        return answer

    def posted(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """The arguments of every call to a Web API method, in order."""
        return self.session.posted(method)

    def answers(self) -> list[dict[str, Any]]:
        """The private answers to clicks and modals (through their response_url), in order."""
        return [
            e.data
            for e in self.session.transcript
            if e.type == "reply" and e.data["command"].startswith("click")
        ]

    def cards(self) -> list[dict[str, Any]]:
        """The pressed cards as replaced through their response_url (channel, ts, text, blocks), in order."""
        return [
            e.data["args"]
            for e in self.session.transcript
            if e.type == "api" and e.data["method"] == "response_url"
        ]

    def thread(self) -> list[str]:
        """The texts posted in the cutover's thread, in order."""
        return [p["text"] for p in self.posted() if p.get("thread_ts")]

    def advance(self, minutes: float = 0, seconds: float = 0) -> None:
        """Move the virtual clock, firing what falls due."""
        self.session.advance_to(self.session.clock.now() + timedelta(minutes=minutes, seconds=seconds))

    @property
    def state(self) -> CutoverState | None:
        """The current cutover's state."""
        return self.services.ledger.current()

    def to_started(self) -> None:
        """Schedule, GO (under an approved override: no probes here), start, as the roster would."""
        steps = [
            ("schedule 2026-12-01 03:00", IC),
            ("go-nogo override checked on the bridge", IC),
            ("go-nogo approve-override agreed", MGMT),
            ("go-nogo go all green", IC),
            ("go-nogo override starting two hours early is agreed with the business", IC),
            ("go-nogo approve-override agreed", MGMT),
            ("start", IC),
        ]
        for text, user in steps:
            answer = self.run(text, as_user=user)
            assert not answer["text"].startswith((":no_entry:", ":lock:")), answer["text"]

    def through_phase0(self) -> None:
        """Phase 0 done by its R roles and Gate 1 approved."""
        for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
            self.run(f"step start {step}", as_user=who)
            self.run(f"step done {step}", as_user=who)
        self.run("gate approve 1", as_user=IC)
