"""What the domain needs to read from the infrastructure, as small interfaces (Protocols).

`bot/probes/` implements them over boto3 and pymongo; `bot/probes/fakes.py` holds the fakes
used by tests and rehearsals. Every reading says where it came from; a source that cannot be
reached gives a Reading with ok=None ("unknown") and the error, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Reading:
    """One answer from a probe: ok True/False, or None when unknown, with the value and the source."""

    ok: bool | None
    value: Any = None
    source: str = ""
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metrics:
    """Platform metrics at one moment (None: not measured)."""

    error_rate_pct: float | None = None
    latency_p95_ms: float | None = None
    throughput: float | None = None
    replication_lag_s: float | None = None
    source: str = ""
    error: str = ""


class ReadinessProbe(Protocol):
    def readiness(self) -> Reading:
        """The region readiness score (0..1) as value; ok when >= the runbook's threshold."""
        ...


class AlarmProbe(Protocol):
    def critical_alarms(self) -> Reading:
        """value: names of critical alarms in ALARM; ok False when any."""
        ...


class MetricsProbe(Protocol):
    def metrics(self, region: str) -> Metrics:
        """Current error rate, P95 latency, throughput and replication lag in a region."""
        ...


class MskProbe(Protocol):
    def topic_counts(self, region: str, topics: list[str]) -> Reading:
        """value: {topic: message count (sum of end offsets)}."""
        ...

    def consumer_lag(self, region: str, groups: list[str]) -> Reading:
        """value: {group: lag in messages}."""
        ...


class DocumentDbProbe(Protocol):
    def collection_stats(self, region: str, collections: list[str], checksum_field: str) -> Reading:
        """value: {collection: {"count": n, "checksum": sum of checksum_field}}."""
        ...


class S3Probe(Protocol):
    def objects(self, region: str, bucket: str, prefix: str = "") -> Reading:
        """value: {key: etag} for every object under the prefix."""
        ...


class ArcProbe(Protocol):
    def routing_state(self) -> Reading:
        """value: {region: True when its routing control is ON}."""
        ...


class GlobalClusterProbe(Protocol):
    def primary_region(self) -> Reading:
        """value: the region of the DocumentDB global cluster's primary."""
        ...


class FxipProbe(Protocol):
    def active_region(self) -> Reading:
        """value: the region the FXIP collection's active-region document names."""
        ...


class DependencyProbe(Protocol):
    def health(self, key: str, url: str | None) -> Reading:
        """An external dependency's health endpoint (HTTP, with a timeout)."""
        ...


@dataclass
class Probes:
    """The set of probes a bot runs with; any may be None when not configured (its checks are unknown)."""

    readiness: ReadinessProbe | None = None
    alarms: AlarmProbe | None = None
    metrics: MetricsProbe | None = None
    msk: MskProbe | None = None
    documentdb: DocumentDbProbe | None = None
    s3: S3Probe | None = None
    arc: ArcProbe | None = None
    global_cluster: GlobalClusterProbe | None = None
    dependencies: DependencyProbe | None = None
    fxip: FxipProbe | None = None
