"""MSK through a Kafka client (kafka-python): per-topic message counts from offsets, consumer lag per group.

Count of a topic = sum over its partitions of the end offset: every message ever written, which only grows
(retention deleting old messages does not lower it, so validation's "no count decreased" holds), and what
the seed compares East against West (`GetOffsetShell --time -1`).
Lag of a group = sum over its committed partitions of (end offset - committed offset).
Each call opens its clients, reads and closes them; every client call is bounded by the client's
timeouts, and the whole call by a hard deadline. Any error is an unknown reading, never a pass.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaTimeoutError

from bot.probes.aws import short_error
from bot.probes.config import ProbeSettings
from cutover.probes import Reading

ClientFactory = Callable[..., Any]


def client_configs(settings: ProbeSettings) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (consumer, admin) client options from the settings: timeouts, TLS and optional SASL."""
    common: dict[str, Any] = {
        "client_id": "cutover-bot-probe",
        "request_timeout_ms": settings.kafka_request_timeout_ms,
        "api_version_auto_timeout_ms": settings.kafka_api_version_timeout_ms,
        "reconnect_backoff_max_ms": 1000,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_ssl_cafile:
        common["ssl_cafile"] = settings.kafka_ssl_cafile
    if settings.kafka_sasl_mechanism:
        common["sasl_mechanism"] = settings.kafka_sasl_mechanism
        common["sasl_plain_username"] = settings.kafka_sasl_username
        password = settings.kafka_sasl_password
        common["sasl_plain_password"] = password.get_secret_value() if password else None
    consumer = {
        **common,
        "group_id": None,
        "enable_auto_commit": False,
        "consumer_timeout_ms": settings.kafka_request_timeout_ms,
    }
    return consumer, common


class KafkaMskProbe:
    """The MskProbe over kafka-python: one bootstrap server list per region."""

    def __init__(
        self,
        bootstrap: dict[str, str],
        *,
        consumer_config: dict[str, Any] | None = None,
        admin_config: dict[str, Any] | None = None,
        lag_topics: list[str] | None = None,
        deadline_s: float = 15.0,
        consumer_factory: ClientFactory = KafkaConsumer,
        admin_factory: ClientFactory = KafkaAdminClient,
    ) -> None:
        self.bootstrap, self.lag_topics, self.deadline_s = bootstrap, lag_topics, deadline_s
        self.consumer_config, self.admin_config = consumer_config or {}, admin_config or {}
        self.consumer_factory, self.admin_factory = consumer_factory, admin_factory

    @classmethod
    def from_settings(
        cls, settings: ProbeSettings, lag_topics: list[str] | None = None, **factories: ClientFactory
    ) -> KafkaMskProbe:
        """A probe configured by the CUTOVER_PROBE_KAFKA_* settings."""
        consumer, admin = client_configs(settings)
        return cls(
            settings.kafka_bootstrap,
            consumer_config=consumer,
            admin_config=admin,
            lag_topics=lag_topics,
            deadline_s=settings.kafka_call_deadline_s,
            **factories,
        )

    def topic_counts(self, region: str, topics: list[str]) -> Reading:
        """value: {topic: sum of end offsets}; details: the raw end and beginning offsets per partition."""
        return self._read(region, lambda servers: self._counts(servers, topics))

    def consumer_lag(self, region: str, groups: list[str]) -> Reading:
        """value: {group: end offsets minus committed offsets, summed over its partitions}."""
        return self._read(region, lambda servers: self._lags(servers, groups))

    def _read(self, region: str, work: Callable[[list[str]], Reading]) -> Reading:
        source = f"kafka:{region}"
        servers = [s.strip() for s in self.bootstrap.get(region, "").split(",") if s.strip()]
        if not servers:
            return Reading(
                ok=None, source=source, error=f"no Kafka bootstrap servers configured for {region}"
            )
        try:
            reading = _bounded(lambda: work(servers), self.deadline_s)
        except Exception as exc:  # any failure of the client is an unknown reading, never a pass
            return Reading(ok=None, source=source, error=f"{','.join(servers)}: {_describe(exc)}")
        return Reading(
            ok=reading.ok, value=reading.value, source=source, error=reading.error, details=reading.details
        )

    def _counts(self, servers: list[str], topics: list[str]) -> Reading:
        consumer = self.consumer_factory(bootstrap_servers=servers, **self.consumer_config)
        try:
            partitions = {topic: sorted(consumer.partitions_for_topic(topic) or ()) for topic in topics}
            tps = [TopicPartition(t, p) for t, ps in partitions.items() for p in ps]
            begin = consumer.beginning_offsets(tps) if tps else {}
            end = consumer.end_offsets(tps) if tps else {}
        finally:
            consumer.close(autocommit=False)
        counts = {t: sum(end[TopicPartition(t, p)] for p in ps) for t, ps in partitions.items() if ps}
        details = {"end_offsets": _by_topic(end), "beginning_offsets": _by_topic(begin)}
        missing = [t for t, ps in partitions.items() if not ps]
        if missing:
            return Reading(
                ok=None, value=counts, error=f"topic not found: {', '.join(missing)}", details=details
            )
        return Reading(ok=True, value=counts, details=details)

    def _lags(self, servers: list[str], groups: list[str]) -> Reading:
        admin = self.admin_factory(bootstrap_servers=servers, **self.admin_config)
        try:
            committed = {g: self._committed(admin.list_consumer_group_offsets(g)) for g in groups}
        finally:
            admin.close()
        tps = sorted({tp for offsets in committed.values() for tp in offsets})
        end: dict[Any, int] = {}
        if tps:
            consumer = self.consumer_factory(bootstrap_servers=servers, **self.consumer_config)
            try:
                end = consumer.end_offsets(tps)
            finally:
                consumer.close(autocommit=False)
        lags = {
            g: sum(max(0, end[tp] - offset) for tp, offset in offsets.items())
            for g, offsets in committed.items()
            if offsets
        }
        missing = [g for g, offsets in committed.items() if not offsets]
        details = {"committed": {g: _by_topic(offsets) for g, offsets in committed.items()}}
        if missing:
            return Reading(
                ok=None, value=lags, error=f"no committed offsets for {', '.join(missing)}", details=details
            )
        return Reading(ok=True, value=lags, details=details)

    def _committed(self, offsets: dict[Any, Any]) -> dict[Any, int]:
        """{TopicPartition: committed offset}, only the runbook's topics when given; -1 (none) left out."""
        return {
            tp: meta.offset
            for tp, meta in offsets.items()
            if meta.offset >= 0 and (self.lag_topics is None or tp.topic in self.lag_topics)
        }


def _bounded(work: Callable[[], Reading], deadline_s: float) -> Reading:
    """Run work in a daemon thread; KafkaTimeoutError when it has not finished within deadline_s."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run, name="kafka-probe", daemon=True)
    thread.start()
    thread.join(deadline_s)
    if thread.is_alive():
        raise KafkaTimeoutError(f"no answer within {deadline_s:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _by_topic(offsets: dict[Any, int]) -> dict[str, dict[str, int]]:
    """{topic: {partition: offset}} with string partition keys (JSON-ready)."""
    out: dict[str, dict[str, int]] = {}
    for tp, offset in sorted(offsets.items()):
        out.setdefault(tp.topic, {})[str(tp.partition)] = offset
    return out


def _describe(exc: BaseException) -> str:
    """One line for a client error, without repeating a bare class name."""
    name = type(exc).__name__
    text = short_error(exc)
    return (
        name if text in (f"{name}: {name}", f"{name}: ") else text.replace(f"{name}: {name}: ", f"{name}: ")
    )
