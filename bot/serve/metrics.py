"""`/metrics` in Prometheus's text format (prometheus_client), one registry per running bot.

What an operator watches during the night: acks by verb and outcome and their latency (Slack gives
up after 3 s), the outbox's depth and its oldest pending message (a backlog, a Slack outage), 429s
and retries, how late the timeline's alarm rang, and whether this replica is the leader. The
outbox figures are read from the database at scrape time, so every replica reports the same
depth whichever one delivers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy.engine import Engine

from commands.table import VERBS
from storage import outbox as store

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    """The bot's metrics; `exposition()` is the body of GET /metrics."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.acks = Counter(
            "cutover_acks", "Slack requests answered, by verb and outcome", ["verb", "outcome"], registry=r
        )
        self.ack_seconds = Histogram(
            "cutover_ack_seconds",
            "Time to answer a Slack request (Slack waits 3 s)",
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "cutover_slack_rate_limited", "Slack calls answered 429 (rate limited)", ["method"], registry=r
        )
        self.retries = Counter(
            "cutover_outbox_retries",
            "Outbox deliveries that failed and will be retried",
            ["method"],
            registry=r,
        )
        self.timer_lag = Gauge(
            "cutover_timer_lag_seconds",
            "How late the timeline's alarm rang after its moment, last time",
            registry=r,
        )
        self.leader = Gauge(
            "cutover_leader", "1 while this replica runs the scheduler and the outbox deliverer", registry=r
        )

    def count_retry(self, method: str, rate_limited: bool) -> None:
        """An outbox delivery to retry (the outbox's `on_retry`); a 429 counts as rate limited too."""
        self.retries.labels(method).inc()
        if rate_limited:
            self.rate_limited.labels(method).inc()

    def watch_outbox(self, database: Engine, now: Callable[[], object]) -> None:
        """Report the outbox's depth and the age of its oldest pending row at each scrape."""
        self.registry.register(_OutboxCollector(database, now))

    def exposition(self) -> bytes:
        """The metrics in Prometheus's text format."""
        return generate_latest(self.registry)


class _OutboxCollector:
    """Reads the outbox at scrape time (a collector, so a failing read fails only the scrape)."""

    def __init__(self, database: Engine, now: Callable[[], object]) -> None:
        self.database, self.now = database, now

    def describe(self) -> list:
        return []  # collected lazily: no database read when registered

    def collect(self):
        depth, oldest = store.backlog(engine=self.database)
        age = (self.now() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("cutover_outbox_depth", "Messages waiting for delivery", value=depth)
        yield GaugeMetricFamily(
            "cutover_outbox_oldest_age_seconds", "Age of the oldest message waiting (0 when none)", value=age
        )


_KNOWN_VERBS = frozenset(VERBS)


def verb_of(body: dict) -> str:
    """The label of a request: the /cutover verb, the button's action id, the view's callback, the event."""
    if "command" in body:
        words = (body.get("text") or "").split()
        verb = words[0].lower() if words else "help"
        return verb if verb in _KNOWN_VERBS else "unknown"
    actions = body.get("actions") or []
    if actions:
        return f"action:{actions[0].get('action_id', '')}"[:64]
    view = body.get("view") or {}
    if body.get("type") in ("view_submission", "view_closed"):
        return f"view:{view.get('callback_id', '')}"[:64]
    event = body.get("event") or {}
    return f"event:{event.get('type', body.get('type', 'unknown'))}"[:64]


def measure_acks(app: App, metrics: Metrics) -> App:
    """Count each request the app answers (verb, outcome) and time its answer: HTTP and Socket Mode alike.

    Both adapters hand every request to `app.dispatch`, and with `process_before_response` the
    dispatch returns when the listener has acked, so its duration is the ack's latency. (Bolt's
    middleware cannot time it: listeners run after the middleware chain has returned.)
    """
    dispatch = app.dispatch

    def measured(req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = dispatch(req)
        metrics.ack_seconds.observe(time.perf_counter() - started)
        if response.status == 401:
            outcome = "unauthorized"  # a bad or missing signature: refused before any listener
        else:
            outcome = req.context.get("ack_outcome") or ("ok" if response.status < 400 else "error")
        metrics.acks.labels(
            verb_of(req.body or {}) if outcome != "unauthorized" else "unverified", outcome
        ).inc()
        return response

    app.dispatch = measured  # type: ignore[method-assign]
    return app
