"""`cutover-bot console`: type /cutover commands as a chosen user, or run a script on a virtual clock.

Both go through the real Bolt app (signed requests into `App.dispatch`) and a recording Slack
client (`bot/slack/session.py`), so what the console shows is what Slack would show.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.bootstrap import load_plan
from bot.cli import subcommand
from bot.console.script import Advance, Click, Command, Instruction, ScriptError, parse_line, parse_script
from bot.slack.session import Entry, SessionError, SlackSession
from cutover.plan.model import default_runbook_path
from cutover.roster import default_roster_path

DEFAULT_START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--script", metavar="FILE", help="run this script instead of prompting (README: Console scripts)"
    )
    parser.add_argument("--json", action="store_true", help="with --script: one JSON object per line")
    parser.add_argument(
        "--start",
        metavar="ISO_TIME",
        default=None,
        help=f"where the virtual clock starts (default {DEFAULT_START.isoformat()})",
    )
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="SLACK_ID",
        default=None,
        help="interactive: the user you type as (default: the Incident Commander)",
    )
    parser.add_argument("--runbook", default=str(default_runbook_path()))
    parser.add_argument("--roster", default=str(default_roster_path()))
    parser.add_argument("--db", default="sqlite://", help="database URL (default: in-memory SQLite)")


@subcommand("console", _args, "type /cutover commands as a chosen user, or run a script (virtual clock)")
def console_command(args: argparse.Namespace) -> int:
    """Run the interactive console or a script; exit 2 at a malformed or impossible line."""
    try:
        start = parse_start(args.start)
    except ValueError as exc:
        print(f"cutover-bot console: --start: {exc}", file=sys.stderr)
        return 2
    runbook, roster = load_plan(args.runbook, args.roster)
    session = SlackSession(plan=runbook, roster=roster, start=start, database_url=args.db)
    if args.script:
        return run_script(session, Path(args.script), as_json=args.json, out=sys.stdout)
    user = args.as_user or roster.members_of("incident_commander")[0].slack_id
    return interact(session, user, sys.stdin, sys.stdout)


def parse_start(text: str | None) -> datetime:
    """The virtual clock's start: an ISO 8601 time (UTC when no offset is given)."""
    if not text:
        return DEFAULT_START
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_script(session: SlackSession, path: Path, *, as_json: bool, out: TextIO) -> int:
    """Run every line of a script, printing the transcript; 2 when a line is malformed or impossible."""
    try:
        instructions = parse_script(path.read_text(encoding="utf-8"))
    except ScriptError as exc:
        print(f"{path}:{exc.number}: {exc.problem}", file=sys.stderr)
        return 2
    printed = 0
    for instruction in instructions:
        if not as_json:
            print(f"\n>>> {describe(instruction)}", file=out)
        try:
            perform(session, instruction)
        except SessionError as exc:
            printed = _print(session, printed, as_json, out)
            print(f"{path}:{instruction.number}: {exc}", file=sys.stderr)
            return 2
        printed = _print(session, printed, as_json, out)
    return 0


def perform(session: SlackSession, instruction: Instruction) -> None:
    """Carry out one instruction through the Bolt app (or the timeline)."""
    match instruction:
        case Command(user=user, text=text):
            session.command(user, text)
        case Click(user=user, action_id=action_id, words=words):
            session.click(user, action_id, list(words))
        case Advance(delta=delta):
            session.advance_to(session.clock.now() + delta)


def describe(instruction: Instruction) -> str:
    """The instruction as it was written (for the readable transcript)."""
    match instruction:
        case Command(user=user, text=text):
            return f"@{user} /cutover {text}".rstrip()
        case Click(user=user, action_id=action_id, words=words):
            return " ".join([f"@{user} click {action_id}", *words])
        case Advance(text=text):
            return text
    return str(instruction)


def interact(session: SlackSession, user: str, stdin: TextIO, out: TextIO) -> int:
    """The prompt: `/cutover ...`, `click <action_id> [<value>]`, `+10m`, `as <SLACK_ID>`, `home`, `quit`."""
    print(
        "cutover console — type /cutover help; `as U123` to switch user; `click <action_id> [value]`; "
        "`+10m` to move the clock; `home` for App Home; `quit` to leave.",
        file=out,
    )
    printed, number = 0, 0
    while True:
        print(f"{user} {session.clock.now():%H:%M:%S}> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line or line.strip() in ("quit", "exit"):
            return 0
        number += 1
        text = line.strip()
        if text.startswith("as "):
            user = text[3:].strip() or user
            print(f"now typing as {user} ({session.services.roster.name_of(user)})", file=out)
            continue
        if text == "home":
            print(json.dumps(session.home(user), indent=2, ensure_ascii=False), file=out)
            printed = len(session.transcript)
            continue
        if text.startswith(("/cutover", "click")):
            text = f"@{user} {text}"
        try:
            instruction = parse_line(text, number)
            if instruction is not None:
                perform(session, instruction)
        except (ScriptError, SessionError) as exc:
            print(f"! {exc}", file=out)
        printed = _print(session, printed, False, out)


def _print(session: SlackSession, printed: int, as_json: bool, out: TextIO) -> int:
    for entry in session.transcript[printed:]:
        print(json.dumps(entry.as_json(), ensure_ascii=False) if as_json else readable(entry), file=out)
    return len(session.transcript)


def readable(entry: Entry) -> str:
    """One transcript entry as a person reads it."""
    at = f"[{entry.at:%H:%M:%S}]"
    data = entry.data
    if entry.type == "reply":
        return f"{at} to @{data['user']} ({data['response_type']}):\n{_indent(data['text'])}"
    args = data["args"]
    method = data["method"]
    if method == "chat.postMessage":
        where = (
            "thread" + (" + channel" if args.get("reply_broadcast") else "")
            if args.get("thread_ts")
            else "channel"
        )
        return f"{at} {args.get('channel')} ({where}):\n{_indent(args.get('text', ''))}"
    if method == "chat.update":
        return f"{at} {args.get('channel')} parent message updated: {args.get('text', '')}"
    if method == "chat.postEphemeral":
        return f"{at} only @{args.get('user')} sees:\n{_indent(args.get('text', ''))}"
    if method == "response_url":  # a pressed card replaced: its last line says who did what, when
        said = [e.get("text", "") for b in args.get("blocks") or [] for e in b.get("elements") or []]
        return f"{at} {args.get('channel')} card updated: {said[-1] if said else args.get('text', '')}"
    if method == "views.open":
        return f"{at} modal opened: {args.get('view', {}).get('title', {}).get('text', '')}"
    if method == "views.publish":
        return f"{at} App Home published for @{args.get('user_id')}"
    return f"{at} {method} {json.dumps(args, ensure_ascii=False)[:200]}"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in str(text).splitlines())
