"""Serving the Bolt app over HTTP: a tiny WSGI adapter and a threaded waitress server.

The adapter does what bolt-python's own adapters do (`slack_bolt/adapter/flask/handler.py`):
turn a POST to /slack/events into a `BoltRequest`, hand it to `App.dispatch`, and write the
`BoltResponse` back. Before Bolt sees anything, `bot.serve.admission` checks the size, the signature
and the timestamp over the raw bytes (413/401), then the body's shape (400). /healthz
answers 200 after a cheap database round trip, 503 when the database is unreachable, the log failed
verification ("audit") or delivery to Slack is failing ("slack": a refused parent message, calls
failing again and again).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from waitress import create_server

from bot.serve.admission import MAX_BODY_BYTES, Refusal, admit, declared_length, log_refusal
from bot.serve.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger("cutover.http")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
SLOW_ACK_S = 2.0  # Slack gives up after 3 s; say so in the log well before

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def database_reachable(engine: Engine) -> bool:
    """True when the database answers `SELECT 1`."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return False


class DatabaseHealth:
    """One database check at a time: a health probe never ties up more than one worker thread.

    While a check runs (a database that hangs instead of refusing), other probes answer at once:
    the last result, or unhealthy once the running check has taken longer than `patience` seconds.
    """

    def __init__(
        self, engine: Engine, patience: float = 2.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.engine, self.patience, self.monotonic = engine, patience, monotonic
        self._checking = threading.Lock()
        self._started = 0.0
        self._last = True

    def ok(self) -> bool:
        """Whether the database answers (or answered last, while a check is still running)."""
        if not self._checking.acquire(blocking=False):
            return self._last and self.monotonic() - self._started < self.patience
        try:
            self._started = self.monotonic()
            self._last = database_reachable(self.engine)
            return self._last
        finally:
            self._checking.release()


Page = Callable[[], tuple[str, bytes]]  # a public GET page: (content type, body)


class SlackWsgiApp:
    """The WSGI application: POST /slack/events to Bolt, GET /healthz, GET /metrics, public pages, 404 else."""

    def __init__(
        self,
        app: App,
        database: Engine,
        events_path: str = EVENTS_PATH,
        *,
        signing_secret: str = "",
        metrics: Metrics | None = None,
        pages: dict[str, Page] | None = None,
        audit_failure: Callable[[], Any] = lambda: None,
        slack_trouble: Callable[[], str | None] | None = None,
    ) -> None:
        """`slack_trouble`: why delivery to Slack is failing (None: it works), /healthz's "slack"."""
        self.app = app
        self.slack_trouble = slack_trouble
        self.signing_secret = signing_secret
        self.audit_failure = audit_failure
        self.health = DatabaseHealth(database)
        self.events_path = events_path
        self.metrics = metrics
        self.pages = dict(pages or {})

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == self.events_path and method == "POST":
            return self._slack(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy = self.health.ok()
            body: dict[str, Any] = {"ok": healthy, "database": "ok" if healthy else "unreachable"}
            failure = self.audit_failure()
            if failure is not None:  # the log failed verification: the bot is read-only
                body.update(ok=False, audit=f"failed: {failure.cutover_id} row {failure.first_bad_seq}")
            trouble = self.slack_trouble() if healthy and self.slack_trouble is not None else None
            if trouble:  # Slack refuses or keeps failing what the bot sends: the channel is not told
                body.update(ok=False, slack=trouble)
            return _json(start_response, 200 if body["ok"] else 503, body)
        if path == METRICS_PATH and method == "GET" and self.metrics is not None:
            return self._metrics(start_response)
        if path in self.pages and method in ("GET", "HEAD"):
            return self._page(self.pages[path], start_response, head=method == "HEAD")
        return _json(start_response, 404, {"ok": False, "error": "not_found"})

    def _page(self, page: Page, start_response: StartResponse, *, head: bool) -> list[bytes]:
        """A public page, never cached by browsers or proxies; a failure is a 503 without a traceback."""
        try:
            content_type, payload = page()
        except Exception:  # noqa: BLE001 - the page must answer; the log has the details
            log.exception("public page failed")
            return _json(start_response, 503, {"ok": False, "error": "unavailable"})
        start_response(
            "200 OK",
            [
                ("content-type", content_type),
                ("content-length", str(len(payload))),
                ("cache-control", "no-cache, max-age=0"),
            ],
        )
        return [] if head else [payload]

    def _slack(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        headers = _headers(environ)
        length = declared_length(headers.get("content-length"))
        if isinstance(length, Refusal):  # refused on the headers alone: the body is never read
            log_refusal(length, declared=None, read=0)
            self._count_refusal(length)
            return _json(start_response, length.status, {"ok": False, "error": length.reason})
        raw = environ["wsgi.input"].read(length) if length else b""
        admitted = admit(raw, headers, self.signing_secret)
        if isinstance(admitted, Refusal):
            log_refusal(admitted, declared=length, read=len(raw))
            self._count_refusal(admitted)
            return _json(start_response, admitted.status, {"ok": False, "error": admitted.reason})
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        request = BoltRequest(body=admitted.body, query=environ.get("QUERY_STRING", ""), headers=bolt_headers)
        try:
            response = self.app.dispatch(request)
        except Exception as exc:  # noqa: BLE001 - a signed request Bolt could not handle: 400, one line
            log.error("a signed Slack request could not be handled (%s)", type(exc).__name__)
            log.debug("details", exc_info=True)
            return _json(start_response, 400, {"ok": False, "error": "unhandled request"})
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_ACK_S:
            log.warning(
                "slow ack: %s answered in %.2f s (Slack waits 3 s)",
                request.context.get("request_type") or "request",
                elapsed,
            )
        out = [(name, value) for name, values in response.headers.items() for value in values]
        payload = response.body.encode("utf-8")
        out.append(("content-length", str(len(payload))))
        start_response(_status_line(response.status), out)
        return [payload]

    def _count_refusal(self, refusal: Refusal) -> None:
        """A request refused before Bolt saw it counts as an ack of no verb (/metrics)."""
        if self.metrics is not None:
            outcome = "unauthorized" if refusal.status == 401 else "rejected"
            self.metrics.acks.labels("unverified", outcome).inc()

    def _metrics(self, start_response: StartResponse) -> Iterable[bytes]:
        if self.metrics is None:
            return _json(start_response, 404, {"ok": False, "error": "not_found"})
        try:
            payload = self.metrics.exposition()
        except Exception as exc:  # noqa: BLE001 - the outbox read failed: the scrape fails, not the server
            log.warning("metrics: could not read the outbox (%s)", type(exc).__name__)
            return _json(start_response, 503, {"ok": False, "error": "database_unreachable"})
        start_response("200 OK", [("content-type", CONTENT_TYPE), ("content-length", str(len(payload)))])
        return [payload]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers, lower-case with dashes, as Bolt expects them."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.lower().replace("_", "-")] = value
    return headers


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Status"


def _json(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(
        _status_line(status), [("content-type", "application/json"), ("content-length", str(len(payload)))]
    )
    return [payload]


class HttpServer:
    """A waitress server (a pool of worker threads) running its event loop in a background thread."""

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        threads: int = 8,
    ) -> None:
        self._server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=threads,
            ident="cutover-bot",
            clear_untrusted_proxy_headers=True,
            max_request_body_size=MAX_BODY_BYTES,  # waitress refuses (413) before buffering more
        )
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._listening()[1])

    @property
    def host(self) -> str:
        """The address actually bound."""
        return str(self._listening()[0])

    def _listening(self) -> tuple[str, int]:
        if hasattr(self._server, "effective_port"):  # one socket
            return self._server.effective_host, self._server.effective_port
        return self._server.effective_listen[0]  # a host name that resolved to several addresses

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:3000."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> HttpServer:
        """Serve from a background thread."""
        self._thread = threading.Thread(target=self._run, name="http-server", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting connections, let the requests in flight finish and answer, release the port."""
        if self._thread is None:
            return
        # Socket work happens in the event loop's thread: hand it thunks through its trigger.
        self._in_loop(self._stop_listening)
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout)
        self._wait_answers_sent(deadline=time.monotonic() + 2.0)
        self._in_loop(self._close_everything)
        self._stopped.wait(timeout)
        self._thread.join(timeout)
        self._thread = None

    def _in_loop(self, thunk) -> None:
        """Run a thunk in the event loop's thread, unless the loop has already stopped."""
        if self._stopped.is_set():
            return
        with contextlib.suppress(OSError):  # the loop closed its trigger after the check: it has stopped
            self._trigger().pull_trigger(thunk)

    def _stop_listening(self) -> None:
        from waitress import wasyncore

        for dispatcher in list(self._socket_map().values()):
            if getattr(dispatcher, "accepting", False):
                wasyncore.dispatcher.close(dispatcher)

    def _wait_answers_sent(self, deadline: float) -> None:
        while time.monotonic() < deadline and any(
            getattr(channel, "total_outbufs_len", 0) for channel in list(self._socket_map().values())
        ):
            time.sleep(0.01)

    def _socket_map(self) -> dict[int, Any]:
        socket_map = getattr(self._server, "_map", None)
        return self._server.map if socket_map is None else socket_map

    def _trigger(self) -> Any:
        from waitress.trigger import trigger

        return next(d for d in list(self._socket_map().values()) if isinstance(d, trigger))

    def _close_everything(self) -> None:
        from waitress import wasyncore

        wasyncore.close_all(self._socket_map(), ignore_all=True)

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
