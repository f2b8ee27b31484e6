"""At most once after a crash: a message whose earlier send may have gone out is looked for before it is sent.

Every `chat.postMessage` carries its outbox key in Slack message metadata (`with_key`). When a row's
send began and its outcome is unknown (the process died in flight, the answer timed out, Slack
answered 5xx), the deliverer calls `find_posted` first: it reads the channel's top-level messages
(`conversations.history`, newest first, from a minute before the first send began (`oldest`,
`inclusive`), up to `PAGES` pages) or, in a DM, the thread (`conversations.replies`) with the
metadata, and returns the `ts` of the message carrying the key, if any; the row is then marked sent
without posting again. A channel given by name is found by name first (`conversations.list`).

Slack lets a bot token read threads (`conversations.replies`) only in DMs, not in public or private
channels, and `conversations.history` lists no thread replies. Given a `reader` (a WebClient with the
optional user token SLACK_USER_TOKEN, user scopes channels:history and groups:history), a reply in a
channel's thread is looked for in that thread with it, and only there; without one such a reply
cannot be looked for and is sent again (`UNCHECKABLE`: at least once), as is a message in a
conversation the bot cannot read (not a member: it posted there with chat:write.public; archived):
invite the bot to every channel it posts in to have at most once there for top-level posts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

METADATA_TYPE = "cutover_outbox"
PAGES = 5
PAGE_SIZE = 200
UNCHECKABLE = ""  # find_posted's answer when the conversation cannot be read back
EARLIER = timedelta(minutes=1)  # Slack's ts and our clock may differ a little: look from a bit before
UNREADABLE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "missing_scope", "thread_not_found"}
)


def with_key(method: str, args: dict[str, Any], key: str) -> dict[str, Any]:
    """The call's arguments with the outbox key in the message's metadata (chat.postMessage only)."""
    if method != "chat.postMessage" or "metadata" in args:
        return args
    return {**args, "metadata": {"event_type": METADATA_TYPE, "event_payload": {"outbox_key": key}}}


def find_posted(
    client: WebClient,
    args: dict[str, Any],
    key: str,
    since: datetime | None = None,
    reader: WebClient | None = None,
) -> str | None:
    """The ts of the message posted under this key; None when it is not there; UNCHECKABLE when unknowable.

    `since`: when the first send whose outcome is unknown began (messages older than that, less a
    minute, are not read). `reader`: a client with a user token, used only for a channel's thread.
    Slack errors (SlackApiError, timeouts) propagate: the caller retries the lookup, never sends blind.
    """
    try:
        channel = _channel_id(client, str(args.get("channel") or ""))
        thread = args.get("thread_ts")
        if not channel:
            return UNCHECKABLE
        oldest = f"{(since - EARLIER).timestamp():.6f}" if since is not None else None
        if thread and not channel.startswith("D"):
            if reader is None:
                return UNCHECKABLE  # a channel's thread: a bot token may not read it (conversations.replies)
            return _search(reader, channel, thread, key, oldest)
        return _search(client, channel, thread, key, oldest)
    except SlackApiError as exc:
        if exc.response.get("error") in UNREADABLE:
            return UNCHECKABLE
        raise


def _channel_id(client: WebClient, channel: str) -> str:
    """The conversation id of a channel id, user id (their DM) or channel name; "" when none matches."""
    if channel[:1] in "UW" and channel.isalnum():  # a user id: the message went to the DM
        return client.conversations_open(users=channel)["channel"]["id"]
    if channel[:1] in "CDG" and channel.isalnum() and channel.isupper():
        return channel
    name, cursor = channel.lstrip("#"), None
    for _ in range(PAGES * 5):
        page = client.conversations_list(
            types="public_channel", exclude_archived=True, limit=1000, cursor=cursor
        )
        for found in page.get("channels") or []:
            if found.get("name") == name:
                return str(found["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return ""


def _search(client: WebClient, channel: str, thread: object, key: str, oldest: str | None) -> str | None:
    """The ts of the message with this key among the channel's newest top-level messages, or in a DM's thread."""
    cursor = None
    for _ in range(PAGES):
        if thread:
            page = client.conversations_replies(
                channel=channel, ts=str(thread), include_all_metadata=True, limit=PAGE_SIZE, cursor=cursor
            )
        else:
            page = client.conversations_history(
                channel=channel,
                include_all_metadata=True,
                limit=PAGE_SIZE,
                cursor=cursor,
                oldest=oldest or None,  # None is left out of the request
                inclusive=True if oldest else None,
            )
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_TYPE and payload.get("outbox_key") == key:
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None
