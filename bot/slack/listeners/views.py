"""The reason modal's submission: run the command it was opened for, with the typed reason."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, BoltContext

from bot.slack.after_ack import ack_then_send
from bot.slack.listeners.common import tell
from commands.context import Services
from commands.run import execute


def register(app: App) -> None:
    """Listen for the reason modal."""
    ack_then_send(app.view("cutover_reason"), reason_submitted)


def request_key(view: dict) -> str:
    """A repeated submission of the same modal carries the same view id and hash."""
    return f"view:{view['id']}:{view.get('hash', '')}"


def typed_reason(view: dict) -> str:
    """The reason typed into the modal."""
    value = view.get("state", {}).get("values", {}).get("reason", {}).get("reason_input", {}).get("value")
    return (value or "").strip()


def reason_submitted(
    ack: Ack, body: dict, view: dict, services: Services, actor: str, context: BoltContext
) -> None:
    """Run `<command> <reason>` as the person who submitted, close the modal, answer privately (after the ack)."""
    command = json.loads(view["private_metadata"])["command"]
    reply = execute(services, actor, f"{command} {typed_reason(view)}".strip(), key=request_key(view))
    ack()
    tell(context, services, body, actor, reply)
