"""What the listeners share: rendering a command's answer, and showing it privately where it was asked."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext

from bot.slack.after_ack import later
from bot.slack.mrkdwn import fit_reply
from bot.slack.replies import reply_blocks, reply_text
from commands.context import Reply, Services

_last: tuple[Reply, str | None, dict[str, Any]] | None = None  # a reply object renders the same every time


def answer(services: Services, reply: Reply) -> dict[str, Any]:
    """The Slack message of a reply: text, blocks when it has them (escaped, within Slack's limits), its response type."""
    global _last
    last = _last
    if last is not None and last[0] is reply and last[1] == services.templates_dir:
        return dict(last[2])
    message: dict[str, Any] = {
        "text": reply_text(reply, services.templates_dir),
        "response_type": reply.response_type,
    }
    blocks = reply_blocks(reply, services.templates_dir)
    if blocks:
        message["blocks"] = blocks
    message = fit_reply(message)
    _last = (reply, services.templates_dir, message)
    return dict(message)


def tell(context: BoltContext, services: Services, body: dict, user: str, reply: Reply) -> None:
    """Show a reply privately to the person who clicked or submitted, where they did it (after the ack)."""
    message = answer(services, reply)
    args: dict[str, Any] = {"channel": answer_channel(services, body), "user": user, "text": message["text"]}
    if message.get("blocks"):
        args["blocks"] = message["blocks"]
    later(context, "chat.postEphemeral", **args)


def answer_channel(services: Services, body: dict) -> str:
    """Where to show a private answer: the clicked message's channel, the modal's, or the cutover channel."""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel:
        return channel
    metadata = (body.get("view") or {}).get("private_metadata") or ""
    if metadata.startswith("{"):
        return json.loads(metadata).get("channel") or services.channel
    return services.channel
