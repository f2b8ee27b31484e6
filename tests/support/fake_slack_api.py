"""A local fake of the Slack Web API: records every call, answers like Slack, fails on demand.

    with FakeSlackApi() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C0CUTOVER", text="hi")
        assert slack.calls_to("chat.postMessage")[0]["args"]["text"] == "hi"

It serves on 127.0.0.1, port 0 (a free port), from a thread; each request gets its own thread.
`calls` holds the calls that were answered 200 (what Slack actually received and applied);
`attempts` holds every request, refused ones too, each with its HTTP `status`.
Bodies may be form-encoded or JSON (slack_sdk sends either); `blocks`, `attachments`, `view`,
`metadata` and `files` sent as JSON strings in a form are decoded, so `args` look the same both ways.
A POST to any path outside /api/ (e.g. a `response_url` from `response_url()`) is recorded with
that path as its method ("response/1").
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.slack.rate_tiers import SlackRateLimits
from tests.support.quiet_server import QuietHTTPServer

_JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")
TS_BASE = 1764550800  # 2025-12-01T01:00:00Z: message timestamps count up from here


class FakeSlackApi:
    """A Slack Web API on 127.0.0.1 for tests: realistic answers, rate limits, errors, outages."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(100)
        self._ids = itertools.count(1)
        self._channels: dict[str, str] = {}
        self._posted: dict[str, list[dict[str, Any]]] = defaultdict(
            list
        )  # channel id -> messages, oldest first
        self._limit: tuple[int, int] | None = None
        self._tiers: SlackRateLimits | None = None
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._failures: list[int] = []
        self._down = False
        self._delay = 0.0  # every method, before answering (`slow_all`)
        self._answers: dict[str, dict[str, Any]] = {}
        self._delays: dict[str, float] = {}
        self._server: QuietHTTPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FakeSlackApi:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving on a free port of 127.0.0.1."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = QuietHTTPServer(("127.0.0.1", 0), handler).start(name="fake-slack-api")

    def stop(self) -> None:
        """Stop serving, end the requests in flight and release the port."""
        if self._server is not None:
            self._server.close()
            self._server = None

    @property
    def port(self) -> int:
        """The port the fake listens on."""
        assert self._server is not None, "FakeSlackApi is not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The base URL to give a WebClient (`base_url`), ending in "/api/"."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, tag: str = "1") -> str:
        """A `response_url` on this fake; posts to it are recorded with method "response/<tag>"."""
        return f"http://127.0.0.1:{self.port}/response/{tag}"

    # -- what happened ---------------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The answered calls to one method, in order."""
        with self._lock:
            return [call for call in self.calls if call["method"] == method]

    def methods(self) -> list[str]:
        """The methods of the answered calls, in order."""
        with self._lock:
            return [call["method"] for call in self.calls]

    def clear(self) -> None:
        """Forget the recorded calls and attempts."""
        with self._lock:
            self.calls.clear()
            self.attempts.clear()

    def forget(self, method: str) -> None:
        """Forget the recorded calls and attempts of one method (e.g. start-up's auth.test)."""
        with self._lock:
            self.calls[:] = [call for call in self.calls if call["method"] != method]
            self.attempts[:] = [call for call in self.attempts if call.get("method") != method]

    def answer_with(self, method: str, body: dict[str, Any]) -> None:
        """Answer every later call to `method` with this body (e.g. apps.connections.open's url)."""
        with self._lock:
            self._answers[method] = body

    # -- misbehaviour on demand ------------------------------------------------------------

    def rate_limit(self, per_second: int | None, retry_after: int = 1) -> None:
        """Answer 429 with Retry-After to a method's calls beyond `per_second` within a second (None: no limit)."""
        with self._lock:
            self._limit = (per_second, retry_after) if per_second else None
            self._recent.clear()

    def slow(self, method: str, seconds: float) -> None:
        """Answer this method's calls `seconds` late, after acting on them (a crash can land in between)."""
        with self._lock:
            self._delays[method] = seconds

    def delay_of(self, method: str) -> float:
        """How late this method's calls are answered."""
        with self._lock:
            return self._delays.get(method, 0.0)

    def rate_tiers(self, limits: SlackRateLimits | None = None) -> None:
        """Enforce Slack's documented rate limits from now on (`bot/slack/rate_tiers.py`; None: Slack's own tiers)."""
        with self._lock:
            self._tiers = limits or SlackRateLimits()

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next `n` requests with this HTTP status."""
        with self._lock:
            self._failures.extend([status] * n)

    def slow_all(self, seconds: float) -> None:
        """Take this long before answering every later request, of any method (a Slack having a bad night)."""
        with self._lock:
            self._delay = seconds

    def down(self, is_down: bool = True) -> None:
        """While down, answer every request 503."""
        with self._lock:
            self._down = is_down

    # -- answering -------------------------------------------------------------------------

    def answer(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, str], Any]:
        """Record one request and decide its (status, extra headers, body)."""
        with self._lock:
            delay = self._delay
        if delay:
            time.sleep(delay)  # outside the lock: slow calls overlap, as they do at Slack
        with self._lock:
            refusal = self._refusal(method, args)
            attempt = {
                "method": method,
                "args": args,
                "headers": headers,
                "status": refusal[0] if refusal else 200,
            }
            self.attempts.append(attempt)
            if refusal:
                return refusal
            self.calls.append({"method": method, "args": args, "headers": headers})
            return 200, {}, self._body(method, args)

    def _refusal(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, str], Any] | None:
        if self._down:
            return 503, {}, {"ok": False, "error": "service_unavailable"}
        if self._failures:
            status = self._failures.pop(0)
            return status, {}, {"ok": False, "error": "fatal_error" if status >= 500 else "request_failed"}
        if self._limit:
            per_second, retry_after = self._limit
            now = time.monotonic()
            recent = self._recent[method]
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= per_second:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
            recent.append(now)
        if self._tiers and method.count(".") and not method.startswith(("upload/", "response/")):
            after = self._tiers.check(method, args, time.monotonic())
            if after is not None:
                return 429, {"Retry-After": str(after)}, {"ok": False, "error": "ratelimited"}
        return None

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """A page of a channel's messages (newest first) or of a thread (oldest first), as Slack pages them."""
        channel = str(args.get("channel", ""))
        if not (channel[:1] in "CDG" and channel.isalnum() and channel.isupper()):
            return {"ok": False, "error": "channel_not_found"}  # Slack wants an id here, not a name
        posted = self._posted.get(channel, [])
        if method == "conversations.history":
            found = [m for m in reversed(posted) if m.get("thread_ts", m["ts"]) == m["ts"]]
        else:
            thread = str(args.get("ts", ""))
            found = [m for m in posted if m["ts"] == thread or m.get("thread_ts") == thread]
            if not found:
                return {"ok": False, "error": "thread_not_found"}
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 999))
        page = found[start : start + limit]
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": messages,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _next_ts(self) -> str:
        return f"{TS_BASE}.{next(self._ts):06d}"

    def _channel_id(self, channel: str) -> str:
        if channel and channel[0] in "CDG" and channel.isalnum() and channel.isupper():
            return channel
        if channel and channel[0] in "UW" and channel.isalnum() and channel.isupper():
            return _dm_of(channel)  # a post to a user ID lands in the app's DM with them (Messages tab)
        if channel not in self._channels:
            self._channels[channel] = "C" + hashlib.sha1(channel.encode()).hexdigest()[:9].upper()
        return self._channels[channel]

    def _body(self, method: str, args: dict[str, Any]) -> Any:
        if method in self._answers:
            return self._answers[method]
        if method.startswith("upload/"):
            return "OK"
        if method.startswith("response/"):
            return "ok"
        channel = self._channel_id(str(args.get("channel", "")))
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": "U0CUTOVERBOT",
                "bot_id": "B0CUTOVER",
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
            }
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            if isinstance(args.get("metadata"), dict):
                message["metadata"] = args["metadata"]
            self._posted[channel].append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, args)
        if method == "conversations.list":  # every channel a name was used for (the bot is in all of them)
            named = [
                (name.lstrip("#"), cid) for name, cid in self._channels.items() if not name[:1].isupper()
            ]
            return {
                "ok": True,
                "channels": [{"id": cid, "name": name, "is_member": True} for name, cid in named],
                "response_metadata": {"next_cursor": ""},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("chat.update", "chat.delete"):
            return {"ok": True, "channel": channel, "ts": args.get("ts", ""), "text": args.get("text", "")}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://example.slack.com/archives/{channel}/p{args.get('message_ts', '')}",
            }
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": _dm_of(users)}}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = args.get("view") if isinstance(args.get("view"), dict) else {}
            return {"ok": True, "view": {**view, "id": f"V{next(self._ids):09d}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids):09d}"
            return {
                "ok": True,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
                "file_id": file_id,
            }
        if method == "files.completeUploadExternal":
            files = args.get("files") if isinstance(args.get("files"), list) else []
            return {
                "ok": True,
                "files": [{"id": f.get("id", ""), "title": f.get("title", "")} for f in files],
            }
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "cutover-bot",
                "team_id": "T0EXAMPLE",
                "user_id": "U0CUTOVERBOT",
                "bot_id": "B0CUTOVER",
            }
        return {"ok": True}


def _dm_of(user: str) -> str:
    """The ID of the app's DM channel with a user (the same for conversations.open and a post to the user)."""
    return "D" + hashlib.sha1(user.encode()).hexdigest()[:9].upper()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlackApi
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self._handle(raw)

    def do_GET(self) -> None:  # noqa: N802
        self._handle(b"")

    def _handle(self, raw: bytes) -> None:
        parts = urlsplit(self.path)
        path = parts.path.lstrip("/")
        method = path[len("api/") :] if path.startswith("api/") else path
        args = dict(parse_qsl(parts.query))
        args.update(_parse_body(raw, self.headers.get("Content-Type", ""), method))
        status, extra, body = self.fake.answer(method, args, dict(self.headers.items()))
        if delay := self.fake.delay_of(method):
            time.sleep(delay)
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/plain" if isinstance(body, str) else "application/json; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: tests read `calls`, not the server log."""


def _parse_body(raw: bytes, content_type: str, method: str) -> dict[str, Any]:
    """Arguments from a JSON or form-encoded body (an upload's bytes become {"bytes": n})."""
    if not raw:
        return {}
    if method.startswith("upload/"):
        return {"bytes": len(raw)}
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        loaded = json.loads(text)
        return loaded if isinstance(loaded, dict) else {"body": loaded}
    args: dict[str, Any] = dict(parse_qsl(text, keep_blank_values=True))
    for name in _JSON_FIELDS:
        value = args.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                args[name] = json.loads(value)
    return args
