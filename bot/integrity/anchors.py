"""The chain head outside the database, in S3 and in Slack: written beside the report and the baselines,
read back by `cutover-bot audit verify`.

`write_anchor` puts `s3://<bucket>/<cutover>/anchors/<seq>.json` (the cutover, the seq, the hash and
when) into the reports bucket when a report is archived and into the baseline bucket with each
baseline. Where the bucket has Object Lock with a default retention, the object is written with that
mode and period explicitly (and a Content-MD5, which S3 requires for it), so nobody with the bot's
credentials can delete or overwrite it before then. `s3_anchors` lists and reads them back;
`slack_anchors` reads the chain heads the status posts carry in their message metadata (the cutover
channel's top-level messages with conversations.history, and the cutover threads with
conversations.replies, which Slack allows a user token, not a bot token: with a bot token the threads
are said to be unreadable). Each anchor keeps its origin, so a failed verification names it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.anchors import Anchored

FOLDER = "anchors"
SLACK_TYPE = "cutover_chain_head"  # the status posts' metadata (bot/timeline/actions.py)
PAGES = 20  # pages of 200 messages of the channel read back at most


def anchor_key(cutover_id: str, seq: int) -> str:
    """The object key of a chain head: <cutover>/anchors/<seq, zero-padded>.json."""
    return f"{cutover_id}/{FOLDER}/{seq:09d}.json"


def retention(s3: Any, bucket: str, now: datetime) -> dict[str, Any]:
    """The put_object arguments of the bucket's default Object Lock retention ({} when it has none)."""
    try:
        found = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except Exception as exc:  # noqa: BLE001 - no configuration (or not allowed to read it): a plain put
        if "ObjectLockConfigurationNotFound" in type(exc).__name__ + str(exc):
            return {}
        raise
    rule = (found.get("Rule") or {}).get("DefaultRetention") or {}
    if found.get("ObjectLockEnabled") != "Enabled" or not rule.get("Mode"):
        return {}
    period = timedelta(days=int(rule.get("Days") or 0) + 365 * int(rule.get("Years") or 0))
    return {"ObjectLockMode": rule["Mode"], "ObjectLockRetainUntilDate": now + period}


def write_anchor(s3: Any, bucket: str, cutover_id: str, seq: int, digest: str, now: datetime) -> str:
    """Put one chain head into the bucket (under the bucket's Object Lock retention); its s3:// address."""
    key = anchor_key(cutover_id, seq)
    body = json.dumps(
        {"cutover_id": cutover_id, "seq": seq, "hash": digest, "at": now.isoformat()}, sort_keys=True
    ).encode()
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/json",
        ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),  # noqa: S324 - S3's integrity header
        **retention(s3, bucket, now),
    )
    return f"s3://{bucket}/{key}"


@dataclass
class Read:
    """Anchors read from outside the database, and what could not be read (said, never a pass)."""

    anchored: Anchored = field(default_factory=Anchored)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def s3_anchors(s3: Any, buckets: list[str], read: Read | None = None) -> Read:
    """Every chain head under */anchors/ in the buckets; an object that is not an anchor is a problem."""
    read = read or Read()
    for bucket in buckets:
        try:
            count = _bucket_anchors(s3, bucket, read)
        except Exception as exc:  # noqa: BLE001 - missing, denied, unreachable: said, never a pass
            read.problems.append(f"s3://{bucket} cannot be read: {type(exc).__name__}: {exc}"[:400])
            continue
        read.notes.append(f"s3://{bucket}: {count} anchor(s)")
    return read


def _bucket_anchors(s3: Any, bucket: str, read: Read) -> int:
    """Add one bucket's anchors; how many."""
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents") or []:
            key = item["Key"]
            if f"/{FOLDER}/" not in key or not key.endswith(".json"):
                continue
            origin = f"s3://{bucket}/{key}"
            try:
                head = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                cutover_id, seq, digest = str(head["cutover_id"]), int(head["seq"]), str(head["hash"])
            except (ValueError, KeyError, TypeError):
                read.problems.append(f"{origin} is not an anchor (edited)")
                continue
            if key != anchor_key(cutover_id, seq):
                read.problems.append(f"{origin} names another row ({cutover_id} row {seq}): moved")
                continue
            read.anchored.add(cutover_id, seq, digest, origin)
            count += 1
    return count


def slack_anchors(client: Any, channel: str, read: Read | None = None, reader: Any = None) -> Read:
    """The chain heads in the metadata of the channel's messages and of the cutover threads' status posts;
    `reader` (a client with a user token) reads the threads when given, `client` everything else."""
    from slack_sdk.errors import SlackApiError

    from bot.outbox.lookup import _channel_id

    read = read or Read()
    channel_id = _channel_id(client, channel)
    if not channel_id:
        read.problems.append(f"Slack: channel {channel} not found")
        return read
    count, threads, cursor, error = 0, [], None, ""
    for _ in range(PAGES):
        page = client.conversations_history(
            channel=channel_id, include_all_metadata=True, limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            count += _take(read.anchored, message, channel_id)
            if message.get("reply_count") or _is_parent(message):
                threads.append(str(message["ts"]))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    unreadable = 0
    for thread in threads:
        try:
            replies = (reader or client).conversations_replies(
                channel=channel_id, ts=thread, include_all_metadata=True, limit=200
            )
        except SlackApiError as exc:  # Slack refuses channel threads to bot tokens
            unreadable += 1
            error = exc.response.get("error", "")
            continue
        for message in replies.get("messages") or []:
            if str(message.get("ts")) != thread:
                count += _take(read.anchored, message, channel_id)
    read.notes.append(f"Slack {channel}: {count} anchor(s)")
    if unreadable:
        read.notes.append(
            f"Slack {channel}: {unreadable} thread(s) not readable with this token ({error}); "
            "a user token with channels:history reads the status posts in them"
        )
    return read


def _is_parent(message: dict[str, Any]) -> bool:
    """A cutover's parent message (its outbox key in its metadata: bot/outbox/lookup.py), whose thread
    holds the status posts."""
    metadata = message.get("metadata") or {}
    key = str((metadata.get("event_payload") or {}).get("outbox_key") or "")
    return metadata.get("event_type") == "cutover_outbox" and key.startswith("parent:")


def _take(anchored: Anchored, message: dict[str, Any], channel: str) -> int:
    """Add the chain head a message carries in its metadata (1), or nothing (0)."""
    metadata = message.get("metadata") or {}
    head = metadata.get("event_payload") or {}
    if metadata.get("event_type") != SLACK_TYPE:
        return 0
    try:
        cutover_id, seq, digest = str(head["cutover_id"]), int(head["seq"]), str(head["hash"])
    except (KeyError, TypeError, ValueError):
        return 0
    if seq < 1:
        return 0  # the head before the first event: nothing to compare
    anchored.add(cutover_id, seq, digest, f"in Slack ({channel}, message {message.get('ts')})")
    return 1
