"""What the listeners share: rendering a command's answer, and showing it privately where it was asked."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext

from bot.slack.after_ack import RESPOND, later
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
    """Show a reply privately to the person who clicked or submitted, in the card's thread (after the ack).

    A click's answer goes through its `response_url` (Bolt's `respond`), as does a reason modal's when it
    carries the click's; otherwise a private message in the thread.
    """
    message = answer(services, reply)
    private(context, services, body, user, message["text"], message.get("blocks"))


def private(
    context: BoltContext, services: Services, body: dict, user: str, text: str, blocks: list | None = None
) -> None:
    """Queue a private answer to this person where they clicked or submitted: response_url, else ephemeral."""
    thread = answer_thread(body)
    args: dict[str, Any] = {"text": text}
    if blocks:
        args["blocks"] = blocks
    if thread:
        args["thread_ts"] = thread
    if response_url(body):
        later(context, RESPOND, response_type="ephemeral", replace_original=False, **args)
        return
    later(context, "chat.postEphemeral", channel=answer_channel(services, body), user=user, **args)


def answer_thread(body: dict) -> str | None:
    """The thread of the pressed card, or of the card a reason modal was opened from."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    return message.get("thread_ts") or container.get("thread_ts") or modal_metadata(body).get("thread_ts")


def response_url(body: dict) -> str | None:
    """Where a private answer can go: the click's response_url, or the one its reason modal carries."""
    return body.get("response_url") or modal_metadata(body).get("response_url")


def modal_metadata(body: dict) -> dict[str, Any]:
    """The reason modal's private metadata (empty for any other request)."""
    metadata = (body.get("view") or {}).get("private_metadata") or ""
    return json.loads(metadata) if metadata.startswith("{") else {}


def answer_channel(services: Services, body: dict) -> str:
    """Where to show a private answer: the clicked message's channel, the modal's, or the cutover channel."""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel:
        return channel
    metadata = (body.get("view") or {}).get("private_metadata") or ""
    if metadata.startswith("{"):
        return json.loads(metadata).get("channel") or services.channel
    return services.channel
