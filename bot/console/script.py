"""The console script language: one instruction per line (README, "Console scripts").

@<slack_id> /cutover <text>             a slash command typed by that user
@<slack_id> click <action_id> [<value>] [<reason>...]
                                        that user presses a button (see `SlackSession.click`)
+<n>s | +<n>m | +<n>h | +<n>d           advance the virtual clock, firing what falls due
# comment, and blank lines              ignored
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.slack.listeners.actions import BUTTONS, CHECKLIST_ITEM, opens_modal

_COMMAND = re.compile(r"^@(?P<user>\S+)\s+/cutover(?:\s+(?P<text>.*))?$")
_CLICK = re.compile(r"^@(?P<user>\S+)\s+click(?:\s+(?P<action>\S+))?(?:\s+(?P<words>.*))?$")
_ADVANCE = re.compile(r"^\+(?P<n>\d+)(?P<unit>[smhd])$")
_USER = re.compile(r"^[A-Za-z0-9_]+$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
CHECKLIST = "rollback_confirm"  # `rollback_confirm <n>` or `rollback_confirm_<n>`: a checklist item's Confirm
ACTION_IDS = (*BUTTONS, "comm_ack", "escalation_ack", CHECKLIST)  # bot/slack/listeners/actions.py and acks.py


class ScriptError(Exception):
    """A line the console cannot run: its number and what is wrong."""

    def __init__(self, number: int, problem: str) -> None:
        super().__init__(f"line {number}: {problem}")
        self.number = number
        self.problem = problem


@dataclass(frozen=True)
class Command:
    """`@user /cutover text`."""

    number: int
    user: str
    text: str


@dataclass(frozen=True)
class Click:
    """`@user click action_id [value] [reason...]`."""

    number: int
    user: str
    action_id: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Advance:
    """`+<n><unit>`."""

    number: int
    delta: timedelta
    text: str = ""


Instruction = Command | Click | Advance


def parse_line(line: str, number: int) -> Instruction | None:
    """One line as an instruction; None for a comment or a blank line; ScriptError when malformed."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if text.startswith("+"):
        match = _ADVANCE.match(text)
        if not match:
            raise ScriptError(
                number, f"{text!r} is not a clock advance; write +<n>s, +<n>m, +<n>h or +<n>d (e.g. +10m)"
            )
        return Advance(number, timedelta(**{UNITS[match["unit"]]: int(match["n"])}), text)
    if not text.startswith("@"):
        raise ScriptError(
            number,
            f"{text!r}: a line is `@<slack_id> /cutover <text>`, "
            "`@<slack_id> click <action_id> [<value>]`, `+<n>m` or `# comment`",
        )
    user = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    if not user or not _USER.match(user):
        raise ScriptError(number, f"{user!r} is not a Slack user id (e.g. @U01AAAA)")
    if match := _COMMAND.match(text):
        return Command(number, user, (match["text"] or "").strip())
    if match := _CLICK.match(text):
        action = match["action"]
        if not action:
            raise ScriptError(number, "click needs an action id, e.g. `click step_done 1A.1`")
        words = tuple((match["words"] or "").split())
        if action == CHECKLIST and words:  # `click rollback_confirm 3`: item 3's Confirm
            action = f"{CHECKLIST}_{words[0]}"
        if action not in ACTION_IDS and not CHECKLIST_ITEM.match(action):
            raise ScriptError(
                number,
                f"no button has the action id {action!r}; the bot's buttons are " + ", ".join(ACTION_IDS),
            )
        if not opens_modal(action) and len(words) > 1:
            raise ScriptError(
                number,
                f"the {action} button takes one value at most (e.g. `click {action} 1A.1`); "
                f"{' '.join(words[1:])!r} is left over",
            )
        return Click(number, user, action, words)
    raise ScriptError(number, f"after @{user} comes `/cutover <text>` or `click <action_id> [<value>]`")


def parse_script(text: str) -> list[Instruction]:
    """Every instruction of a script, or ScriptError at the first malformed line."""
    instructions = []
    for number, line in enumerate(text.splitlines(), start=1):
        instruction = parse_line(line, number)
        if instruction is not None:
            instructions.append(instruction)
    return instructions
