"""The deliverer: passes over the queued rows, each call through its transport, paced, retried, in order.

`drain()` delivers everything due now, in order per order key; `start()`/`stop()` run the same loop in a
background thread for `serve`. A pass takes the head row of every order key (`storage.outbox.heads`: the
one place rows are claimed), resolves "{{ts:NAME}}" references, and sends at most one call per order key,
so order per key holds with several workers.

Retries: Slack 429 waits for Retry-After, and the pacing key (`pace_key`: the method, and the channel for
chat.postMessage) is then paced to the rate Slack allowed, so the next calls do not hit the limit again
(bot/outbox/pacing.py; the background deliverer prepares a pass `LEAD` before slots free and each call
then waits for its own slot, so a pass's overhead does not delay the slots); 5xx, timeouts and connection errors back off 1 s, 2 s, 4 s ... capped at `MAX_BACKOFF`; SES
failures likewise. A refusal that no retry can fix (`channel_not_found`, `invalid_auth`, ...) marks the
row failed without blocking the rows after it. A row waiting for a retry, or for a "{{ts:NAME}}" not yet
saved, blocks only its own order key. The first failed attempt of a row that names a thread is said
there once (bot/outbox/notices.py).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine as DbEngine

from bot.outbox import lookup
from bot.outbox.claims import SendClaims
from bot.outbox.notices import failure_notice
from bot.outbox.pacing import Pacer
from bot.outbox.transports import Refused, Retry, Transports
from commands.context import Clock
from storage import outbox as store

log = logging.getLogger("bot.outbox.persistent")

MAX_BACKOFF = timedelta(seconds=60)
LEAD = timedelta(
    milliseconds=20
)  # the background deliverer prepares a pass this early; calls wait for their slot
_REF = re.compile(r"^\{\{ts:(.+)\}\}$")

Notify = Callable[[dict[str, Any]], None]  # queues a failure notice (`enqueue` arguments)


class _Unresolved(Exception):
    """An argument names a saved ts that does not exist yet: the row waits."""


PER_CHANNEL = frozenset({"chat.postMessage"})  # Slack limits these per channel too (about 1 a second)


def pace_key(row: store.OutboxRow) -> str:
    """What one pacing budget counts: calls of one method (Slack's limits are per method and workspace),
    and for chat.postMessage of one method in one channel ("chat.postMessage C0CUTOVER")."""
    if row.method not in PER_CHANNEL:
        return row.method
    return f"{row.method} {row.arguments().get('channel', '')}"


class Deliverer:
    """Delivers the outbox's rows through the transports, in passes (`drain`) or in a background thread."""

    def __init__(
        self,
        db: DbEngine,
        clock: Clock,
        transports: Transports,
        *,
        writes: threading.Lock,
        notify: Notify,
        poll_seconds: float = 1.0,
        workers: int = 1,
        templates_dir: str | None = None,
    ) -> None:
        self.db, self.clock, self.transports = db, clock, transports
        self.poll_seconds, self.templates_dir = poll_seconds, templates_dir
        self._writes, self._notify = writes, notify  # one writer at a time in-process: no SQLite busy-waits
        self._drain_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pacer = Pacer()
        self.on_retry: Callable[[str, bool], None] | None = None  # (method, rate limited): /metrics counts
        self.claims = SendClaims(db, clock, writes)  # `claims.may_send`: the leader's fence
        self._held: set[str] = set()  # pacing keys whose due rows the pacer held back in the last pass
        self._saved: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="outbox") if workers > 1 else None

    @property
    def running(self) -> bool:
        """Whether the background thread delivers (else the queue's owner drains)."""
        return self._thread is not None

    def wake(self) -> None:
        """Something was queued: the background thread looks at once."""
        self._wake.set()

    def drain(self) -> int:
        """Deliver everything due now, in order per order key; return how many calls were delivered."""
        with self._drain_lock:
            total = 0
            while True:
                delivered, settled = self._one_pass()
                total += delivered
                if not settled:
                    return total

    # -- the background thread for `serve` -------------------------------------------------

    def start(self) -> None:
        """Deliver in a background thread until `stop()`."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-deliverer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread (rows still pending stay queued for the next start)."""
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
        if any(self._pacer.budget(key, now + self._lead()) != 0 for key in self._held):
            return 0.0  # slots freed since the last pass held rows back: no sleep (not even to poll_seconds)
        moments = [store.utc(row.next_attempt_at) for row in heads]
        moments += [
            m - self._lead() for m in (self._pacer.ready_at(pace_key(row), now) for row in heads) if m
        ]
        moments = [m for m in moments if m > now]  # rows due now but waiting for a ts wake on enqueue
        if not moments:
            return self.poll_seconds
        wait = (min(moments) - now).total_seconds()
        return min(self.poll_seconds, max(0.001, wait))

    def _lead(self) -> timedelta:
        """How early a pass may pick calls whose slot frees soon (only the background thread waits for it)."""
        return LEAD if self._thread is not None else timedelta(0)

    # -- one pass over the heads of every order key ----------------------------------------

    def _one_pass(self) -> tuple[int, int]:
        """Try the head of every order key once; return (delivered, delivered or refused for good).

        At most one call per order key is in flight, so order per key holds with several workers.
        """
        saved, refreshed = self._saved, False
        ready: list[tuple[store.OutboxRow, dict[str, Any], datetime]] = []
        taken: Counter[str] = Counter()
        now = self.clock.now()
        self._held = set()
        for row in store.heads(engine=self.db):
            if store.utc(row.next_attempt_at) > now:
                continue
            if self.transports.paced(row.method):
                key = pace_key(row)
                budget = self._pacer.budget(key, now + self._lead())
                if budget is not None and taken[key] >= budget:
                    self._held.add(key)
                    continue  # the rate Slack allows is used up for now: later passes take the rest
            raw = row.arguments()
            notify = raw.pop("notify", None)  # where to say a failure: resolved by the notice's own row
            try:
                args = resolve(raw, saved)
            except _Unresolved:
                if refreshed:
                    continue
                saved, refreshed = self._reload_saved(), True  # another process may have saved it
                try:
                    args = resolve(raw, saved)
                except _Unresolved:
                    continue
            if notify:
                args["notify"] = notify
            taken[pace_key(row)] += 1
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
        paced = self.transports.paced(row.method)
        if paced:
            reserved = self._reserve(pace_key(row))
            if reserved is None:
                self._held.add(pace_key(row))
                return store.PENDING
            now = reserved  # the moment of sending is what Slack's window counts
        claim = self.claims.begin(row)
        if claim is None:
            return store.PENDING  # sent meanwhile, or another deliverer holds it
        looked = not claim.maybe_sent
        try:
            if not looked:  # an earlier send's outcome is unknown: is the message there already?
                found = self._find_posted(row, args, claim.since)
                looked = True
                if found:
                    with self._writes:
                        marked = store.mark_sent(
                            engine=self.db,
                            row_id=row.id,
                            owner=claim.owner,
                            now=now,
                            save_as=row.save_ts_as,
                            value=found,
                        )
                    if not marked:
                        return self._lost(row)
                    log.info("%s %s was already posted (ts %s): not posted again", row.method, row.key, found)
                    if row.save_ts_as:
                        saved[row.save_ts_as] = found
                    return store.SENT
            if not self.claims.still_ours(claim):
                return store.PENDING  # stalled past the lease, or no longer the leader: send nothing
            value = self._send(row, lookup.with_key(row.method, args, row.key), now, paced)
        except Retry as exc:
            if self.on_retry is not None:
                self.on_retry(row.method, exc.rate_limited)
            delay = _backoff(row.attempts + 1) if exc.after is None else timedelta(seconds=exc.after)
            maybe_sent = (not looked or not exc.rate_limited) and paced  # a 429 says the call was not made
            with self._writes:
                attempts = store.mark_retry(
                    engine=self.db,
                    row_id=row.id,
                    owner=claim.owner,
                    error=str(exc),
                    next_attempt_at=now + delay,
                    maybe_sent=maybe_sent,
                )
            if attempts is None:
                return self._lost(row)
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
        except Refused as exc:
            with self._writes:
                marked = store.mark_failed(engine=self.db, row_id=row.id, owner=claim.owner, error=str(exc))
            if not marked:
                return self._lost(row)
            log.error("%s %s refused for good: %s", row.method, row.key, exc)
            return store.FAILED
        with self._writes:
            marked = store.mark_sent(
                engine=self.db, row_id=row.id, owner=claim.owner, now=now, save_as=row.save_ts_as, value=value
            )
        if not marked:
            return self._lost(row)
        if row.save_ts_as and value:
            saved[row.save_ts_as] = value
        return store.SENT

    def _lost(self, row: store.OutboxRow) -> str:
        """The row's lease ran out during the call and another deliverer claimed it: this outcome is not
        recorded; the row's `sending_since` makes the new claimant look for the message before sending."""
        log.warning(
            "%s %s: claimed by another deliverer meanwhile; its outcome is theirs", row.method, row.key
        )
        return store.PENDING

    def _find_posted(self, row: store.OutboxRow, args: dict[str, Any], since: datetime) -> str | None:
        """The ts of this row's message if Slack has it already; None when not (or when it cannot tell)."""
        finder = getattr(self.transports.route(row.method), "find_posted", None)
        if row.method != "chat.postMessage" or finder is None:
            return None  # updates and views are idempotent; email cannot be looked for
        return finder({k: v for k, v in args.items() if k != "notify"}, row.key, since) or None

    def _send(self, row: store.OutboxRow, args: dict[str, Any], now: datetime, paced: bool) -> str | None:
        """The call through its transport; the pacer learns from the answer (or from a 429)."""
        call_args = {k: v for k, v in args.items() if k != "notify"}
        try:
            value = self.transports.route(row.method).send(row.method, call_args)
        except Retry as exc:
            if paced and exc.rate_limited and exc.after is not None:
                self._pacer.limited(pace_key(row), now, exc.after, at=self.clock.now())
            raise
        if paced:
            self._pacer.answered(pace_key(row), now, self.clock.now())
        return value

    def _reserve(self, key: str) -> datetime | None:
        """Take the pacer's slot for a call now, waiting for it when it frees within the lead; None if held."""
        now = self.clock.now()
        if self._pacer.reserve(key, now):
            return now
        at = self._pacer.next_slot(key, now)
        if at is None or at - now > self._lead():
            return None
        self._stop.wait((at - now).total_seconds())
        now = self.clock.now()
        return now if self._pacer.reserve(key, now) else None

    def _tell_thread(self, row: store.OutboxRow, args: dict[str, Any], error: str, delay: timedelta) -> None:
        """A failing call that names a thread is said there once (the row keeps retrying)."""
        notice = failure_notice(
            key=row.key,
            method=row.method,
            args=args,
            error=error,
            retry_in=delay,
            templates_dir=self.templates_dir,
        )
        if notice is not None:
            self._notify(notice)


def _backoff(attempt: int) -> timedelta:
    """1 s, 2 s, 4 s, ... capped at MAX_BACKOFF."""
    return min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempt - 1, 16)))


def resolve(value: Any, saved: dict[str, str]) -> Any:
    """Replace "{{ts:NAME}}" strings by saved values; _Unresolved when one is not saved yet."""
    if isinstance(value, str):
        match = _REF.match(value)
        if not match:
            return value
        if match.group(1) not in saved:
            raise _Unresolved(match.group(1))
        return saved[match.group(1)]
    if isinstance(value, dict):
        return {k: resolve(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, saved) for v in value]
    return value
