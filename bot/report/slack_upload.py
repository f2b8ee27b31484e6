"""Uploading the report's files into the cutover thread (files_upload_v2) and finding the thread's permalink.

`files_upload_v2` is a client helper that makes several calls (files.getUploadURLExternal per file,
a POST of the bytes to each upload URL, one files.completeUploadExternal), so it cannot go through
the outbox, which queues single Web API methods; the report job calls it here instead.
"""

from __future__ import annotations

from slack_sdk import WebClient


def upload_report(
    client: WebClient,
    channel: str,
    thread_ts: str | None,
    files: dict[str, bytes],
    *,
    title: str,
    comment: str,
) -> list[str]:
    """Upload the files in one message of the thread (or the channel without a thread); `channel` is an id."""
    uploads = [
        {"content": content, "filename": name, "title": f"{title}: {name}"} for name, content in files.items()
    ]
    response = client.files_upload_v2(
        file_uploads=uploads, channel=channel, thread_ts=thread_ts, initial_comment=comment
    )
    return [f.get("id", "") for f in response.get("files") or []]


def thread_permalink(client: WebClient, channel: str, thread_ts: str | None) -> str:
    """The permalink of the cutover's parent message (`channel` is an id), or "" when there is none."""
    if not thread_ts:
        return ""
    response = client.chat_getPermalink(channel=channel, message_ts=thread_ts)
    return str(response.get("permalink") or "")
