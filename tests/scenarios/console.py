"""Console scenarios: a script of `/cutover` lines, clicks and clock advances through the real Bolt app.

`play(plan, roster, script)` runs it exactly as `cutover-bot console --script FILE --json` would and
returns what users saw (replies, Web API calls) and what the log recorded.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from bot.console.command import DEFAULT_START, run_script
from bot.slack.session import SlackSession
from storage.eventlog import history

IC, OPS, OPS2, ENG, DBA, NET, APP, MGMT = (
    "U01AAAA",
    "U01BBBB",
    "U01CCCC",
    "U01DDDD",
    "U02BBBB",
    "U02DDDD",
    "U02EEEE",
    "U03AAAA",
)

# Scheduled at 03:00 for a 01:00 clock, GO under an approved override (no probes), started at 03:00.
STARTED = """
@U01AAAA /cutover schedule 2026-12-01 03:00
@U01AAAA /cutover go-nogo override checked on the bridge
@U03AAAA /cutover go-nogo approve-override agreed
@U01AAAA /cutover go-nogo go all green
+2h
@U01AAAA /cutover start
"""

PHASE0 = """
@U01BBBB /cutover step start 0.1
+1m
@U01BBBB /cutover step done 0.1
@U01BBBB /cutover step start 0.2
+1m
@U01BBBB /cutover step done 0.2
@U01AAAA /cutover step start 0.3
+1m
@U01AAAA /cutover step done 0.3
"""

THROUGH_GATE1 = STARTED + PHASE0 + "@U01AAAA /cutover gate approve 1\n"


@dataclass
class Played:
    """What a console script left: the session, its JSON transcript lines, the recorded events."""

    session: SlackSession
    lines: list[dict]

    def replies(self, command: str = "") -> list[str]:
        """The texts of the answers to commands containing `command`, in order."""
        return [x["text"] for x in self.lines if x["type"] == "reply" and command in x["command"]]

    def reply(self, command: str) -> str:
        """The answer to the last command containing `command`."""
        return self.replies(command)[-1]

    def posts(self, contains: str = "") -> list[dict]:
        """chat.postMessage arguments whose text contains the words."""
        return [
            x["args"]
            for x in self.lines
            if x["type"] == "api"
            and x["method"] == "chat.postMessage"
            and contains in x["args"].get("text", "")
        ]

    def events(self, kind: str | None = None) -> list:
        """The cutover's recorded events (of one kind)."""
        state = self.state
        found = history(engine=self.session.services.ledger.db, cutover_id=state.cutover_id)
        return [r for r in found if kind is None or r.event.kind == kind]

    @property
    def state(self):
        """The cutover's state at the end of the script."""
        return self.session.services.ledger.current()


def play(plan, roster, script: str, session: SlackSession | None = None) -> Played:
    """Run a console script (the README's format) and keep its JSON transcript."""
    session = session or SlackSession(plan=plan, roster=roster, start=DEFAULT_START)
    out = io.StringIO()
    with TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.script"
        path.write_text(script, encoding="utf-8")
        code = run_script(session, path, as_json=True, out=out)
    assert code == 0, out.getvalue()[-2000:]
    return Played(session, [json.loads(line) for line in out.getvalue().splitlines()])


def steps_script(plan, roster, *phase_ids: str, skip: tuple[str, ...] = ()) -> str:
    """Lines doing every step of these phases in order, each by its R role's first member, a minute each."""
    lines = []
    for phase_id in phase_ids:
        for step in plan.phases_by_id[phase_id].steps:
            if step.id in skip:
                continue
            who = roster.members_of(step.raci.R[0])[0].slack_id
            lines += [f"@{who} /cutover step start {step.id}", "+1m", f"@{who} /cutover step done {step.id}"]
    return "\n".join(lines) + "\n"
