"""Admitting a Slack request: the size, the signature and the shape are checked before anything reads it.

Nothing of an unsigned body is parsed, logged or answered to: a request is refused on its headers and
sizes alone (413 too large, 401 unsigned, stale or forged), and only a correctly signed body is decoded
and its shape checked (400 when it is not the form or JSON Slack sends). A refusal is logged as its
reason and sizes, never the body or a header's value: a raw newline from a request cannot forge a line.

The cap (`MAX_BODY_BYTES`, 1 MiB) is far above what Slack sends this bot (a slash command is under
1 KB; a button click carries the clicked message, at most 50 blocks of 3,000 characters; a modal
submission at most 100 blocks) and far below what would let a stranger fill the memory or the disk.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl

from bot.clock import SystemClock

log = logging.getLogger("cutover.http")

MAX_BODY_BYTES = 1024 * 1024
FRESH_FOR_S = 300  # Slack's own rule: a timestamp more than 5 minutes from now is a replay


@dataclass(frozen=True)
class Refusal:
    """Why a request was not admitted: the HTTP status and a short reason code."""

    status: int
    reason: str


@dataclass(frozen=True)
class Admitted:
    """A request that passed: its text, decoded."""

    body: str


def declared_length(value: str | None) -> int | Refusal:
    """The Content-Length as a number, or the refusal of a missing, malformed or too large one."""
    if value is None or not value.strip().isdigit():
        return Refusal(411 if value is None else 400, "content-length missing or not a number")
    length = int(value)
    if length > MAX_BODY_BYTES:
        return Refusal(413, "body larger than the cap")
    return length


def admit(
    raw: bytes, headers: dict[str, str], signing_secret: str, wall_clock: SystemClock | None = None
) -> Admitted | Refusal:
    """Check the signature over the raw bytes first, then the decoding and the shape of the body."""
    if len(raw) > MAX_BODY_BYTES:
        return Refusal(413, "body larger than the cap")
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        return Refusal(401, "signature headers missing")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return Refusal(401, "timestamp not a number")
    now = (wall_clock or SystemClock()).now().timestamp()
    if abs(now - int(timestamp)) > FRESH_FOR_S:
        return Refusal(401, "timestamp stale")
    if not signing_secret:
        return Refusal(401, "no signing secret configured")
    expected = (
        "v0="
        + hmac.new(
            signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256
        ).hexdigest()
    )
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Refusal(401, "signature does not match")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "signed body not UTF-8")
    problem = shape_problem(body, headers.get("content-type", ""))
    return Refusal(400, problem) if problem else Admitted(body)


def shape_problem(body: str, content_type: str) -> str | None:
    """Why a signed body cannot be parsed the way Bolt parses it (`slack_bolt.request.internals.parse_body`:
    JSON when the type says so or the body starts with `{`, else a form whose `payload` is JSON), or None."""
    if not body:
        return None
    if content_type == "application/json" or body.startswith("{"):
        return None if _json_object(body) else "JSON body not an object"
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body and "payload" in form and not _json_object(form["payload"]):
        return "form payload not a JSON object"
    return None


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def log_refusal(refusal: Refusal, *, declared: int | None, read: int) -> None:
    """One line: the status, the reason code and the sizes (never the body, never a header's value)."""
    log.warning(
        "refused a Slack request: %d %s (declared %s bytes, read %d)",
        refusal.status,
        refusal.reason,
        "no" if declared is None else declared,
        read,
    )


SOCKET_TYPES = ("slash_commands", "interactive", "events_api")


def envelope_problem(envelope_type: str, payload: object) -> str | None:
    """Why a Socket Mode envelope is not one Slack sends this app (the connection is Slack's, but the
    payload is still checked before Bolt reads it), or None."""
    if envelope_type not in SOCKET_TYPES:
        return "envelope type not handled"
    if not isinstance(payload, dict):
        return "envelope payload not an object"
    if envelope_type == "slash_commands":
        fields = ("command", "user_id", "text")
        if not all(isinstance(payload.get(f), str) for f in fields):
            return "slash command without command, user_id or text"
    elif envelope_type == "interactive":
        if not isinstance(payload.get("type"), str) or not isinstance(payload.get("user", {}), dict):
            return "interaction without a type or a user"
    elif not isinstance(payload.get("event", {}), dict):
        return "event not an object"
    if len(json.dumps(payload, default=str)) > MAX_BODY_BYTES:
        return "envelope larger than the cap"
    return None
