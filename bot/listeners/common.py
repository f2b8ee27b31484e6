"""What the listeners share: running a command once per request key, and rendering its answer."""

from __future__ import annotations

import json
from typing import Any

from bot.replies import reply_blocks, reply_text
from commands.context import Reply, Services
from commands.run import execute
from storage import eventlog


def run_once(services: Services, user: str, text: str, key: str | None) -> Reply:
    """Run a command unless this request key was applied already (a Slack retry or a repeated click)."""
    if key and eventlog.was_applied(engine=services.ledger.db, key=key):
        return Reply("replies/already_applied.j2")
    return execute(services, user, text, key=key)


def answer(services: Services, reply: Reply) -> dict[str, Any]:
    """The Slack message of a reply: text, blocks when it has them, and its response type."""
    message: dict[str, Any] = {"text": reply_text(reply, services.templates_dir),
                               "response_type": reply.response_type}
    blocks = reply_blocks(reply, services.templates_dir)
    if blocks:
        message["blocks"] = blocks
    return message


def tell(client, services: Services, body: dict, user: str, reply: Reply) -> None:
    """Show a reply privately to the person who clicked or submitted, where they did it."""
    message = answer(services, reply)
    args: dict[str, Any] = {"channel": answer_channel(services, body), "user": user, "text": message["text"]}
    if message.get("blocks"):
        args["blocks"] = message["blocks"]
    client.chat_postEphemeral(**args)


def answer_channel(services: Services, body: dict) -> str:
    """Where to show a private answer: the clicked message's channel, the modal's, or the cutover channel."""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel:
        return channel
    metadata = (body.get("view") or {}).get("private_metadata") or ""
    if metadata.startswith("{"):
        return json.loads(metadata).get("channel") or services.channel
    return services.channel
