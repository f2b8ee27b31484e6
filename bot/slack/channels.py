"""The cutover channel by its ID: Slack takes a name only when posting, never for edits, links or uploads.

`CUTOVER_CHANNEL` may be a name (`#nxop-cutover`); chat.update, chat.getPermalink,
files.completeUploadExternal and conversations.history need the ID, so the name is resolved once,
at start-up, through conversations.list (public and private channels the bot can see).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

PAGES = 50  # bounded paging: a workspace with more channels than this keeps the name


def is_conversation_id(channel: str) -> bool:
    """Whether this is a conversation ID (C..., G..., D...) rather than a name."""
    return channel[:1] in ("C", "G", "D") and channel.isalnum() and channel.isupper()


def channel_id(client: WebClient, channel: str) -> str:
    """The ID of a channel given by ID or by #name; the name itself when no channel has it."""
    if is_conversation_id(channel):
        return channel
    found = channels_named(client, [channel]).get(channel.lstrip("#"))
    return str(found["id"]) if found else channel


def channels_named(client: WebClient, names: list[str]) -> dict[str, dict]:
    """The channels (public, and private ones the bot is in) with these names: name -> conversation."""
    wanted, found, cursor = {n.lstrip("#") for n in names}, {}, None
    for _ in range(PAGES):
        page = client.conversations_list(
            types="public_channel,private_channel", limit=1000, cursor=cursor, exclude_archived=True
        )
        for channel in page.get("channels") or []:
            if channel.get("name") in wanted:
                found[str(channel["name"])] = channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor or len(found) == len(wanted):
            break
    return found


def resolved(client: WebClient, channel: str) -> str:
    """`channel_id`, or the name as given when Slack cannot be asked now (said in the log)."""
    try:
        return channel_id(client, channel)
    except (SlackApiError, OSError) as exc:
        log.warning("could not resolve the channel %s to its ID: %s", channel, exc)
        return channel
