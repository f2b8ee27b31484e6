"""The Acknowledge buttons of communications and escalations: each runs the equivalent command.

`comm_ack` (value "<cutover>|<message id>|<audience>") is `/cutover comms ack <id> <audience>`;
`escalation_ack` (value "<cutover>|<escalation key>") is `/cutover ack <key>`. Both are events.
"""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.slack.after_ack import ack_then_send
from bot.slack.listeners.actions import request_key
from bot.slack.listeners.common import tell
from commands.context import Services
from commands.run import execute


def command_for(action_id: str, value: str) -> str:
    """The /cutover command a button press stands for."""
    parts = value.split("|")
    if action_id == "comm_ack":
        return " ".join(["comms", "ack", *parts[1:3]]).strip()
    return f"ack {parts[-1]}"


def acknowledge(
    ack: Ack, body: dict, action: dict, services: Services, actor: str, context: BoltContext
) -> None:
    """Record the acknowledgement as the person who pressed, and tell them privately (after the ack)."""
    ack()
    command = command_for(action["action_id"], action.get("value", ""))
    reply = execute(services, actor, command, key=request_key(body, action))
    tell(context, services, body, actor, reply)


def register(app: App) -> None:
    """Listen for both Acknowledge buttons."""
    ack_then_send(app.action("comm_ack"), acknowledge)
    ack_then_send(app.action("escalation_ack"), acknowledge)
