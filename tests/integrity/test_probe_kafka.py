"""MSK over a Kafka client: counts and lags from offsets, unreachable brokers unknown, clients closed."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from kafka.errors import KafkaTimeoutError, NoBrokersAvailable
from kafka.structs import OffsetAndMetadata, TopicPartition

from bot.clock import SystemClock
from bot.probes.cloudwatch import CloudWatchMsk
from bot.probes.config import ProbeSettings
from bot.probes.kafka import KafkaMskProbe
from bot.probes.wiring import build_probes

EAST = "us-east-1"
EVENTS, PLANS = "prod.flight.events.v1", "prod.flight.plans.v1"
BEGIN = {
    TopicPartition(EVENTS, 0): 100,
    TopicPartition(EVENTS, 1): 0,
    TopicPartition(EVENTS, 2): 50,
    TopicPartition(PLANS, 0): 10,
}
END = {
    TopicPartition(EVENTS, 0): 1100,
    TopicPartition(EVENTS, 1): 250,
    TopicPartition(EVENTS, 2): 50,
    TopicPartition(PLANS, 0): 19,
}
COMMITTED = {
    "fos-consumer": {
        TopicPartition(EVENTS, 0): OffsetAndMetadata(1000, "", -1),
        TopicPartition(EVENTS, 1): OffsetAndMetadata(250, "", -1),
        TopicPartition(PLANS, 0): OffsetAndMetadata(4, "", -1),
    },
    "flightkeys-consumer": {
        TopicPartition(EVENTS, 2): OffsetAndMetadata(50, "", -1),
        TopicPartition("other.topic", 0): OffsetAndMetadata(0, "", -1),
    },
}


class FakeConsumer:
    """The KafkaConsumer calls the probe makes, over fixed offsets."""

    def __init__(
        self, log: list, fail: Exception | None = None, block: threading.Event | None = None, **config
    ) -> None:
        self.config, self.fail, self.block, self.closed = config, fail, block, False
        log.append(self)

    def partitions_for_topic(self, topic):
        return {tp.partition for tp in END if tp.topic == topic}

    def beginning_offsets(self, partitions):
        return {tp: BEGIN[tp] for tp in partitions}

    def end_offsets(self, partitions):
        if self.block is not None:
            self.block.wait(5)
        if self.fail is not None:
            raise self.fail
        return {tp: END.get(tp, 500) for tp in partitions}

    def close(self, autocommit=True):
        self.closed = True


class FakeAdmin:
    """KafkaAdminClient.list_consumer_group_offsets over fixed committed offsets."""

    def __init__(self, log: list, **config) -> None:
        self.config, self.closed = config, False
        log.append(self)

    def list_consumer_group_offsets(self, group_id):
        return COMMITTED.get(group_id, {})

    def close(self):
        self.closed = True


def probe(consumers: list, admins: list, lag_topics=None, **consumer_kwargs) -> KafkaMskProbe:
    settings = ProbeSettings(
        kafka_bootstrap={EAST: "b-1.msk:9094, b-2.msk:9094"}, kafka_request_timeout_ms=2000
    )
    return KafkaMskProbe.from_settings(
        settings,
        lag_topics,
        consumer_factory=lambda **config: FakeConsumer(consumers, **consumer_kwargs, **config),
        admin_factory=lambda **config: FakeAdmin(admins, **config),
    )


def test_topic_counts_are_sums_of_end_offsets_unaffected_by_retention():
    consumers: list = []
    reading = probe(consumers, []).topic_counts(EAST, [EVENTS, PLANS])
    assert reading.ok is True and reading.source == "kafka:us-east-1"
    assert reading.value == {EVENTS: 1100 + 250 + 50, PLANS: 19}  # beginning offsets (retention) do not count
    assert reading.details["end_offsets"] == {EVENTS: {"0": 1100, "1": 250, "2": 50}, PLANS: {"0": 19}}
    (consumer,) = consumers
    assert consumer.closed
    assert consumer.config["bootstrap_servers"] == ["b-1.msk:9094", "b-2.msk:9094"]
    assert consumer.config["request_timeout_ms"] == 2000 and consumer.config["security_protocol"] == "SSL"
    assert (
        consumer.config["api_version_auto_timeout_ms"] > 0 and consumer.config["consumer_timeout_ms"] == 2000
    )
    assert consumer.config["enable_auto_commit"] is False and consumer.config["group_id"] is None


def test_a_topic_the_cluster_does_not_have_is_unknown_by_name():
    reading = probe([], []).topic_counts(EAST, [EVENTS, "prod.missing.v1"])
    assert reading.ok is None and reading.error == "topic not found: prod.missing.v1"
    assert reading.value == {EVENTS: 1400}


def test_consumer_lag_is_end_minus_committed_over_the_runbook_topics():
    consumers, admins = [], []
    reading = probe(consumers, admins, lag_topics=[EVENTS, PLANS]).consumer_lag(
        EAST, ["fos-consumer", "flightkeys-consumer"]
    )
    assert reading.ok is True
    assert reading.value == {"fos-consumer": 100 + 0 + 15, "flightkeys-consumer": 0}
    assert all(c.closed for c in consumers + admins) and len(admins) == 1
    assert admins[0].config["request_timeout_ms"] == 2000 and "consumer_timeout_ms" not in admins[0].config


def test_a_group_without_committed_offsets_is_unknown_not_zero_lag():
    reading = probe([], []).consumer_lag(EAST, ["fos-consumer", "typo-consumer"])
    assert reading.ok is None and reading.error == "no committed offsets for typo-consumer"
    assert reading.value == {"fos-consumer": 115}


@pytest.mark.parametrize("error", [NoBrokersAvailable(), KafkaTimeoutError("Failed to get offsets by times")])
def test_an_unreachable_broker_is_unknown_with_the_error(error):
    def unreachable(**config):
        raise error

    probe_ = KafkaMskProbe({EAST: "b-1.msk:9094"}, consumer_factory=unreachable, admin_factory=unreachable)
    for reading in (probe_.topic_counts(EAST, [EVENTS]), probe_.consumer_lag(EAST, ["fos-consumer"])):
        assert reading.ok is None and reading.value is None
        assert reading.error.startswith("b-1.msk:9094: ") and type(error).__name__ in reading.error


def test_a_failure_after_connecting_is_unknown_and_the_clients_are_still_closed():
    consumers, admins = [], []
    kafka = probe(consumers, admins, fail=KafkaTimeoutError("Failed to get offsets by times in 2000ms"))
    counts, lag = kafka.topic_counts(EAST, [EVENTS]), kafka.consumer_lag(EAST, ["fos-consumer"])
    assert counts.ok is None and "KafkaTimeoutError: Failed to get offsets" in counts.error
    assert lag.ok is None and "KafkaTimeoutError" in lag.error
    assert len(consumers) == 2 and all(c.closed for c in consumers + admins)


def test_a_call_that_hangs_is_cut_at_the_deadline_and_its_client_closed_when_it_returns():
    consumers: list = []
    release = threading.Event()
    kafka = KafkaMskProbe(
        {EAST: "b-1.msk:9094"},
        deadline_s=0.2,
        consumer_factory=lambda **c: FakeConsumer(consumers, block=release, **c),
    )
    reading = kafka.topic_counts(EAST, [EVENTS])
    assert reading.ok is None and reading.error == "b-1.msk:9094: KafkaTimeoutError: no answer within 0.2 s"
    release.set()
    for thread in [t for t in threading.enumerate() if t.name == "kafka-probe"]:
        thread.join(5)
    assert consumers[0].closed


def test_a_region_without_bootstrap_servers_is_unknown():
    reading = probe([], []).topic_counts("us-west-2", [EVENTS])
    assert reading.ok is None and reading.error == "no Kafka bootstrap servers configured for us-west-2"


def test_build_probes_uses_kafka_only_when_bootstrap_servers_are_configured(plan, monkeypatch):
    monkeypatch.setenv(
        "CUTOVER_PROBE_KAFKA_BOOTSTRAP", '{"us-east-1": "b-1.msk:9094", "us-west-2": "b-1.w:9094"}'
    )
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    configured = ProbeSettings()
    assert configured.kafka_bootstrap == {"us-east-1": "b-1.msk:9094", "us-west-2": "b-1.w:9094"}
    consumers: list = []
    probes = build_probes(
        plan,
        configured,
        SystemClock(),
        kafka_factories={"consumer_factory": lambda **c: FakeConsumer(consumers, **c)},
    )
    assert isinstance(probes.msk, KafkaMskProbe)
    assert probes.msk.topic_counts(EAST, [EVENTS]).value == {EVENTS: 1400}
    assert probes.msk.lag_topics == plan.data_checks.msk_topics
    monkeypatch.delenv("CUTOVER_PROBE_KAFKA_BOOTSTRAP")
    assert isinstance(build_probes(plan, ProbeSettings(), SystemClock()).msk, CloudWatchMsk)


def test_the_real_client_against_a_closed_port_is_unknown_within_its_timeouts():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    settings = ProbeSettings(
        kafka_bootstrap={EAST: f"127.0.0.1:{port}"},
        kafka_request_timeout_ms=1000,
        kafka_api_version_timeout_ms=500,
        kafka_call_deadline_s=2.5,
    )
    kafka = KafkaMskProbe.from_settings(settings)
    started = time.monotonic()
    counts, lag = kafka.topic_counts(EAST, [EVENTS]), kafka.consumer_lag(EAST, ["fos-consumer"])
    elapsed = time.monotonic() - started
    assert counts.ok is None and counts.error == f"127.0.0.1:{port}: NoBrokersAvailable"
    assert lag.ok is None and lag.error == f"127.0.0.1:{port}: NoBrokersAvailable"
    assert elapsed < 3.0
