"""The persistent outbox and its deliverer: every message is a row first, then delivered with retries.

`PersistentOutbox` implements `commands.context.Outbox`. `enqueue` only writes a row (idempotent
by key), so a command never waits for Slack or SES. `drain()` delivers everything due now, in
order per order key; `start()`/`stop()` run the same loop in a background thread for `serve`.

Retries: Slack 429 waits for Retry-After, and the method is then paced to the rate Slack allowed,
so the next calls do not hit the limit again (the background deliverer prepares a pass `LEAD`
before slots free and each call then waits for its own slot, so a pass's overhead does not delay
the slots); 5xx, timeouts and connection errors back off 1 s, 2 s, 4 s ... capped at
`MAX_BACKOFF`; SES failures likewise. A refusal that no retry can
fix (`channel_not_found`, `invalid_auth`, ...) marks the row failed without blocking the rows
after it. A row waiting for a retry, or for a "{{ts:NAME}}" not yet saved, blocks only its own
order key. With `workers` > 1 calls of different order keys go concurrently (never two of one
key); `batch()` queues many calls in one transaction. Without a running deliverer thread and
with `inline_without_thread`, `enqueue` delivers at once (a server started without workers).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine as DbEngine

from bot.outbox.pacing import Pacer
from commands.context import Clock
from storage import outbox as store
from templates.render import render

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(seconds=60)
LEAD = timedelta(
    milliseconds=20
)  # the background deliverer prepares a pass this early; calls wait for their slot
SES_METHOD = "ses.send_email"
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_REF = re.compile(r"^\{\{ts:(.+)\}\}$")


class _Unresolved(Exception):
    """An argument names a saved ts that does not exist yet: the row waits."""


class _Retry(Exception):
    """A failure worth retrying, with an optional wait the server asked for."""

    def __init__(self, message: str, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


class PersistentOutbox:
    """An outbox over the database: rows survive restarts; delivery retries until it succeeds."""

    def __init__(
        self,
        db: DbEngine,
        clock: Clock,
        slack: WebClient | None = None,
        ses: Any = None,
        ses_source: str = "cutover-bot@example.com",
        poll_seconds: float = 1.0,
        inline_without_thread: bool = False,
        workers: int = 1,
        templates_dir: str | None = None,
    ) -> None:
        self.db, self.clock, self.slack, self.ses, self.ses_source = db, clock, slack, ses, ses_source
        self.poll_seconds, self.templates_dir = poll_seconds, templates_dir
        self.inline_without_thread = inline_without_thread  # no deliverer thread running: deliver in enqueue
        self._drain_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pacer = Pacer()
        self._held: set[str] = set()  # methods whose due rows the pacer held back in the last pass
        self._writes = threading.Lock()
        self._local = threading.local()
        self._saved: dict[str, str] = {}  # one writer at a time in-process: no SQLite busy-wait sleeps
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="outbox") if workers > 1 else None
        store.create_tables(engine=db)

    # -- the Outbox protocol ---------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Queue every call enqueued inside in one transaction at the end (many DMs at once)."""
        if getattr(self._local, "calls", None) is not None:
            yield
            return
        self._local.calls = []
        try:
            yield
            calls = self._local.calls
        finally:
            self._local.calls = None
        with self._writes:
            store.enqueue_many(engine=self.db, calls=calls, now=self.clock.now())
        if self._thread is None and self.inline_without_thread:
            self.drain()
        self._wake.set()

    def enqueue(
        self, *, method: str, args: dict[str, Any], key: str, order: str = "", save_ts_as: str | None = None
    ) -> None:
        """Queue one call (a no-op when the key was queued before) and wake the deliverer."""
        buffered = getattr(self._local, "calls", None)
        if buffered is not None:
            buffered.append(
                {"method": method, "args": args, "key": key, "order": order, "save_ts_as": save_ts_as}
            )
            return
        with self._writes:
            store.enqueue(
                engine=self.db,
                key=key,
                order_key=order,
                method=method,
                args=args,
                save_ts_as=save_ts_as,
                now=self.clock.now(),
            )
        if self._thread is None and self.inline_without_thread:
            self.drain()
        self._wake.set()

    def ts(self, name: str) -> str | None:
        """A saved message timestamp (or DM channel id)."""
        return store.saved_value(engine=self.db, name=name)

    def drain(self) -> int:
        """Deliver everything due now, in order per order key; return how many calls were delivered."""
        with self._drain_lock:
            total = 0
            while True:
                delivered, settled = self._one_pass()
                total += delivered
                if not settled:
                    return total

    def pending(self) -> int:
        """How many calls wait for delivery."""
        return store.count(engine=self.db, status=store.PENDING)

    # -- the background deliverer for `serve` ----------------------------------------------

    def start(self) -> None:
        """Deliver in a background thread until `stop()`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-deliverer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background deliverer (rows still pending stay queued for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - the deliverer must outlive a bad row or a database hiccup
                log.exception("outbox delivery pass failed; retrying")
            self._wake.wait(self._seconds_to_next())
            self._wake.clear()

    def _seconds_to_next(self) -> float:
        """Sleep until the earliest row may be tried again, at most `poll_seconds`."""
        now, heads = self.clock.now(), store.heads(engine=self.db)
        if any(self._pacer.budget(method, now + self._lead()) != 0 for method in self._held):
            return 0.0  # slots freed since the last pass held rows back: no sleep (not even to poll_seconds)
        moments = [store.utc(row.next_attempt_at) for row in heads]
        moments += [m - self._lead() for m in (self._pacer.ready_at(row.method, now) for row in heads) if m]
        moments = [m for m in moments if m > now]  # rows due now but waiting for a ts wake on enqueue
        if not moments:
            return self.poll_seconds
        wait = (min(moments) - now).total_seconds()
        return min(self.poll_seconds, max(0.001, wait))

    def _lead(self) -> timedelta:
        """How early a pass may pick calls whose slot frees soon (only the background deliverer waits for it)."""
        return LEAD if self._thread is not None else timedelta(0)

    # -- one pass over the heads of every order key ----------------------------------------

    def _one_pass(self) -> tuple[int, int]:
        """Try the head of every order key once; return (delivered, delivered or refused for good).

        At most one call per order key is in flight, so order per key holds with several workers.
        """
        saved, refreshed = self._saved, False
        ready, taken, now = [], Counter(), self.clock.now()
        self._held = set()
        for row in store.heads(engine=self.db):
            if store.utc(row.next_attempt_at) > now:
                continue
            if row.method != SES_METHOD:
                budget = self._pacer.budget(row.method, now + self._lead())
                if budget is not None and taken[row.method] >= budget:
                    self._held.add(row.method)
                    continue  # the rate Slack allows is used up for now: later passes take the rest
            raw = row.arguments()
            notify = raw.pop("notify", None)  # where to say a failure: resolved by the notice's own row
            try:
                args = _resolve(raw, saved)
            except _Unresolved:
                if refreshed:
                    continue
                saved, refreshed = self._reload_saved(), True  # another process may have saved it
                try:
                    args = _resolve(raw, saved)
                except _Unresolved:
                    continue
            if notify:
                args["notify"] = notify
            taken[row.method] += 1
            ready.append((row, args, now))
        if self._pool is None:
            outcomes = [self._deliver(row, args, now, saved) for row, args, now in ready]
        else:
            outcomes = list(self._pool.map(lambda job: self._deliver(job[0], job[1], job[2], saved), ready))
        delivered = sum(outcome == store.SENT for outcome in outcomes)
        return delivered, sum(outcome != store.PENDING for outcome in outcomes)

    def _reload_saved(self) -> dict[str, str]:
        self._saved = store.saved(engine=self.db)
        return self._saved

    def _deliver(
        self, row: store.OutboxRow, args: dict[str, Any], now: datetime, saved: dict[str, str]
    ) -> str:
        """Try one call; return the row's new status (a call the pacer holds back stays pending)."""
        if row.method != SES_METHOD:
            reserved = self._reserve(row.method)
            if reserved is None:
                self._held.add(row.method)
                return store.PENDING
            now = reserved  # the moment of sending is what Slack's window counts
        try:
            value = (
                self._send_email(args)
                if row.method == SES_METHOD
                else self._call_slack(row.method, args, now)
            )
        except _Retry as exc:
            delay = _backoff(row.attempts + 1) if exc.after is None else timedelta(seconds=exc.after)
            with self._writes:
                attempts = store.mark_retry(
                    engine=self.db, row_id=row.id, error=str(exc), next_attempt_at=now + delay
                )
            log.warning(
                "%s %s not delivered (attempt %d): %s; retrying in %s",
                row.method,
                row.key,
                attempts,
                exc,
                delay,
            )
            if attempts == 1:
                self._tell_thread(row, args, str(exc), delay)
            return store.PENDING
        except _Refused as exc:
            with self._writes:
                store.mark_failed(engine=self.db, row_id=row.id, error=str(exc))
            log.error("%s %s refused for good: %s", row.method, row.key, exc)
            return store.FAILED
        with self._writes:
            store.mark_sent(engine=self.db, row_id=row.id, now=now, save_as=row.save_ts_as, value=value)
        if row.save_ts_as and value:
            saved[row.save_ts_as] = value
        return store.SENT

    def _reserve(self, method: str) -> datetime | None:
        """Take the pacer's slot for a call now, waiting for it when it frees within the lead; None if held."""
        now = self.clock.now()
        if self._pacer.reserve(method, now):
            return now
        at = self._pacer.next_slot(method, now)
        if at is None or at - now > self._lead():
            return None
        self._stop.wait((at - now).total_seconds())
        now = self.clock.now()
        return now if self._pacer.reserve(method, now) else None

    def _call_slack(self, method: str, args: dict[str, Any], now: datetime) -> str | None:
        if self.slack is None:
            raise _Refused("no Slack client is configured")
        try:
            response = self.slack.api_call(method, json=args)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            if status == 429:
                after = float(
                    exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1
                )
                self._pacer.limited(method, now, after, at=self.clock.now())
                raise _Retry(f"rate limited (429), Retry-After {after:g}s", after) from None
            if status >= 500 or error in RETRYABLE_ERRORS:
                raise _Retry(f"Slack answered {status} {error}".strip()) from None
            raise _Refused(f"Slack refused {method}: {error or status}") from None
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors, unreadable answers
            raise _Retry(f"{type(exc).__name__}: {exc}") from None
        self._pacer.answered(method, now, self.clock.now())
        channel = response.get("channel")
        return response.get("ts") or (channel.get("id") if isinstance(channel, dict) else None)

    def _tell_thread(self, row: store.OutboxRow, args: dict[str, Any], error: str, delay: timedelta) -> None:
        """An optional integration failing is said once in the cutover's thread (the row keeps retrying)."""
        notify = args.get("notify")
        if not isinstance(notify, dict) or not notify.get("channel"):
            return
        text = render(
            "time/delivery_failed.j2",
            self.templates_dir,
            method=row.method,
            args=args,
            error=error,
            retry_in=delay,
        )
        self.enqueue(
            method="chat.postMessage",
            key=f"notice:{row.key}",
            order=notify.get("order", ""),
            args={"channel": notify["channel"], "thread_ts": notify.get("thread_ts"), "text": text},
        )

    def _send_email(self, args: dict[str, Any]) -> None:
        if self.ses is None:
            raise _Refused("email (SES) is not configured")
        try:
            self.ses.send_email(
                Source=self.ses_source,
                Destination={"ToAddresses": list(args["to"])},
                Message={
                    "Subject": {"Data": args["subject"], "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": args["body"], "Charset": "UTF-8"}},
                },
            )
        except Exception as exc:  # noqa: BLE001 - SES throttling, outage, credentials: all retried
            raise _Retry(f"SES: {type(exc).__name__}: {exc}") from None
        return None


class _Refused(Exception):
    """A refusal no retry can fix."""


def _backoff(attempt: int) -> timedelta:
    """1 s, 2 s, 4 s, ... capped at MAX_BACKOFF."""
    return min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempt - 1, 16)))


def _resolve(value: Any, saved: dict[str, str]) -> Any:
    """Replace "{{ts:NAME}}" strings by saved values; _Unresolved when one is not saved yet."""
    if isinstance(value, str):
        match = _REF.match(value)
        if not match:
            return value
        if match.group(1) not in saved:
            raise _Unresolved(match.group(1))
        return saved[match.group(1)]
    if isinstance(value, dict):
        return {k: _resolve(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, saved) for v in value]
    return value
