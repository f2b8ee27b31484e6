"""The emulator's HTTP face: a threaded Slack Web API on 127.0.0.1 for tests and benchmarks.

    with EmulatedSlackServer() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C0CUTOVER", text="hi")
        assert slack.calls_to("chat.postMessage")[0]["args"]["text"] == "hi"

It serves on port 0 (a free port) from a thread, each request in its own thread, and answers
through one `SlackEmulator` (an open workspace by default: every well-formed channel and user ID
exists). `calls` holds the calls Slack applied (HTTP 200, `ok`); `attempts` every request, refused
ones too, each with its HTTP `status` (a refusal is 200 with `ok: false`, as at Slack). Bodies may be form-encoded or JSON (slack_sdk
sends either). A POST to /upload/<file> takes files_upload_v2's bytes (method "upload/<file>"); one
to /response/<tag> (`response_url(tag)`) is a response_url post (method "response/<tag>").
Faults on demand, outside Slack's semantics: `fail_next`, `down`, `slow`, `slow_all`, `rate_limit`.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.clock import SystemClock
from bot.slack.emulator.core import JSON_ARGS, SlackEmulator
from bot.slack.emulator.limits import SlackRateLimits
from bot.slack.emulator.workspace import Workspace

DEFAULT_CHANNELS = {"nxop-cutover": "C0CUTOVER", "nxop-business": None, "nxop-ops-center": None}


def open_workspace() -> Workspace:
    """Every well-formed ID exists; the runbook's channel names are known."""
    workspace = Workspace(open_world=True)
    for name, channel_id in DEFAULT_CHANNELS.items():
        workspace.add_channel(name, channel_id)
    return workspace


class QuietServer(ThreadingHTTPServer):
    """A threaded server that keeps its handlers' exceptions (a client that hung up) instead of printing them."""

    daemon_threads = True
    request_queue_size = 128  # listen backlog

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self.errors: list[BaseException] = []
        self._serving: threading.Thread | None = None

    def start(self, name: str = "emulated-slack-api", poll_interval: float = 0.05) -> QuietServer:
        """Serve in a background thread."""
        self._serving = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": poll_interval}, name=name, daemon=True
        )
        self._serving.start()
        return self

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Kept, not printed."""
        self.errors.append(sys.exc_info()[1] or RuntimeError("unknown error"))

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._serving is not None:
            self.shutdown()
            self._serving = None
        self.server_close()


class EmulatedSlackServer:
    """The Slack Web API on 127.0.0.1: Slack's answers and refusals, rate limits, failures on demand.

    `server_class` serves the HTTP (the tests give theirs, which also waits for handlers on close)."""

    server_class: Any = QuietServer

    def __init__(self, emulator: SlackEmulator | None = None) -> None:
        self.emulator = emulator or SlackEmulator(SystemClock(), workspace=open_workspace())
        self.calls: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._limit: tuple[int, int] | None = None
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._failures: list[int] = []
        self._down = False
        self._delay = 0.0  # every method, before answering (`slow_all`)
        self._delays: dict[str, float] = {}
        self._server: Any = None
        self._origin = ""

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> EmulatedSlackServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving on a free port of 127.0.0.1."""
        handler = type("Handler", (_Handler,), {"server_face": self})
        self._server = self.server_class(("127.0.0.1", 0), handler).start(name="emulated-slack-api")
        self._origin = f"http://127.0.0.1:{self.port}"
        self.emulator.upload_base = f"{self._origin}/upload/"

    def stop(self) -> None:
        """Stop serving, end the requests in flight and release the port."""
        if self._server is not None:
            self._server.close()
            self._server = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._server is not None, "EmulatedSlackServer is not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The base URL to give a WebClient (`base_url`), ending in "/api/"."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(
        self,
        tag: str = "1",
        *,
        channel: str = "C0CUTOVER",
        user: str = "U01AAAA",
        message_ts: str | None = None,
    ) -> str:
        """A response_url on this server (5 uses within 30 minutes); posts are recorded as "response/<tag>".

        `response_url("")` is a prefix: every URL under it is a response_url of its own (a test's
        sender appends a number per click), issued when first used, its card unknown."""
        url = f"http://127.0.0.1:{self.port}/response/{tag}"
        if not tag:
            return self.emulator.issue_response_urls(url, channel=channel, user=user)
        return self.emulator.issue_response_url(url, channel=channel, user=user, message_ts=message_ts)

    # -- what happened ---------------------------------------------------------------------

    @property
    def contract_errors(self) -> list:
        """The calls Slack would have refused (`SlackEmulator.contract_errors`)."""
        return self.emulator.contract_errors

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
        """Answer every later (well-formed) call to `method` with this body (e.g. apps.connections.open's url)."""
        with self.emulator.lock:
            self.emulator.answers[method] = body

    # -- misbehaviour on demand ------------------------------------------------------------

    def rate_limit(self, per_second: int | None, retry_after: int = 1) -> None:
        """Answer 429 with Retry-After to a method's calls beyond `per_second` within a second (None: no limit)."""
        with self._lock:
            self._limit = (per_second, retry_after) if per_second else None
            self._recent.clear()

    def rate_tiers(self, limits: SlackRateLimits | None = None) -> None:
        """Enforce Slack's documented rate limits from now on (`limits.py`; None: Slack's own tiers)."""
        with self.emulator.lock:
            self.emulator.limits = limits or SlackRateLimits()

    def slow(self, method: str, seconds: float) -> None:
        """Answer this method's calls `seconds` late, after acting on them (a crash can land in between)."""
        with self._lock:
            self._delays[method] = seconds

    def delay_of(self, method: str) -> float:
        """How late this method's calls are answered."""
        with self._lock:
            return self._delays.get(method, 0.0)

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
        self, method: str, args: dict[str, Any], headers: dict[str, str], raw: bytes = b""
    ) -> tuple[int, dict[str, str], Any]:
        """Record one request and decide its (status, extra headers, body)."""
        with self._lock:
            delay = self._delay
        if delay:
            time.sleep(delay)  # outside the lock: slow calls overlap, as they do at Slack
        with self._lock:
            fault = self._fault(method)
        if fault is None:
            fault = self._emulated(method, args, headers, raw)
        status = fault[0]
        with self._lock:
            self.attempts.append({"method": method, "args": args, "headers": headers, "status": status})
            if status == 200 and (not isinstance(fault[2], dict) or fault[2].get("ok")):  # applied
                self.calls.append({"method": method, "args": args, "headers": headers})
        return fault

    def _emulated(
        self, method: str, args: dict[str, Any], headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], Any]:
        if method.startswith("upload/"):
            known = self.emulator.receive_upload(method, raw)
            return (200, {}, "OK") if known else (404, {}, "not found")
        if method.startswith("response/"):
            url = f"{self._origin}/{method}"  # known after a stop too (a late post during shutdown)
            status, extra, body = self.emulator.respond(url, args)
            return status, extra, "ok" if status == 200 else body
        token = (headers.get("Authorization") or "").removeprefix("Bearer ") or str(args.pop("token", ""))
        args = {k: v for k, v in args.items() if k != "token"}
        return self.emulator.call(method, args, token=token)

    def _fault(self, method: str) -> tuple[int, dict[str, str], Any] | None:
        if self._down:
            return 503, {}, {"ok": False, "error": "service_unavailable"}
        if self._failures:
            status = self._failures.pop(0)
            return status, {}, {"ok": False, "error": "fatal_error" if status >= 500 else "request_failed"}
        if self._limit and not method.startswith(("upload/", "response/")):
            per_second, retry_after = self._limit
            now = self.emulator.clock.now().timestamp()
            recent = self._recent[method]
            while recent and now - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= per_second:
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
            recent.append(now)
        return None


class _Handler(BaseHTTPRequestHandler):
    server_face: EmulatedSlackServer
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
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        args.update(_parse_body(raw, self.headers.get("Content-Type", ""), method))
        status, extra, body = self.server_face.answer(method, args, dict(self.headers.items()), raw)
        if delay := self.server_face.delay_of(method):
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
    for name in JSON_ARGS:
        value = args.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                args[name] = json.loads(value)
    return args
