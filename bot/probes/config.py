"""Where the probes look: endpoints and identifiers that are infrastructure, not runbook (env settings).

Regions, buckets, topics, collections and alarms come from the runbook (`data_checks`, `business`);
credentials from the standard AWS chain. Every call has a timeout (seconds below).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MetricSpec(BaseModel):
    """A CloudWatch metric: namespace, name, dimensions, statistic."""

    namespace: str
    name: str
    dimensions: dict[str, str] = {}
    statistic: str = "Average"


def _platform(name: str, statistic: str = "Average") -> MetricSpec:
    return MetricSpec(namespace="NXOP/Platform", name=name, statistic=statistic)


class ProbeSettings(BaseSettings):
    """Probe configuration (environment variables CUTOVER_PROBE_<NAME>; JSON for the mappings)."""

    model_config = SettingsConfigDict(env_prefix="CUTOVER_PROBE_", case_sensitive=False, extra="ignore")

    aws_endpoint_url: str | None = None  # a local endpoint (moto server) for rehearsals and tests
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 5.0
    max_attempts: int = 2
    http_timeout_s: float = 5.0
    lookback_minutes: int = 15  # how far back a CloudWatch datapoint still counts as current
    critical_alarm_prefix: str = "nxop-usw2"
    # MSK per-topic message counts: a cumulative end-offset metric per topic (MSK's own metrics are rates).
    msk_count_metric: MetricSpec = MetricSpec(
        namespace="NXOP/MSK", name="TopicEndOffsetSum", statistic="Maximum"
    )
    msk_lag_namespace: str = "AWS/Kafka"
    metrics: dict[str, MetricSpec] = Field(
        default_factory=lambda: {
            "error_rate_pct": _platform("ErrorRatePct"),
            "latency_p95_ms": _platform("LatencyP95Ms", "Maximum"),
            "throughput": _platform("Throughput", "Sum"),
            "replication_lag_s": _platform("ReplicationLagSeconds", "Maximum"),
        }
    )
    s3_buckets: dict[str, dict[str, str]] = {}  # region -> {runbook bucket: that region's bucket}
    docdb_uris: dict[str, str] = {}  # region -> mongodb URI (credentials in the URI or the environment)
    docdb_server_selection_timeout_ms: int = 3000
    docdb_socket_timeout_ms: int = 5000
    fxip_collection: str = "fxip"
    fxip_document_id: str = "active_region"
    fxip_region: str = "us-east-1"  # the cluster read for the FXIP document (the writer's region)
    arc_endpoints: dict[str, str] = {}  # region -> cluster endpoint URL
    arc_controls: dict[str, str] = {}  # region -> routing control ARN
    docdb_global_cluster: str = "nxop-docdb-global"
    docdb_global_region: str = "us-west-2"
    # MSK through a Kafka client (bot/probes/kafka.py) instead of CloudWatch when set.
    kafka_bootstrap: dict[str, str] = {}  # region -> "b-1.host:9094,b-2.host:9094"
    kafka_security_protocol: str = "SSL"  # MSK's TLS listener (9094); PLAINTEXT, SASL_SSL also accepted
    kafka_ssl_cafile: str | None = None  # None: the system trust store
    kafka_sasl_mechanism: str | None = None  # SASL off unless set (e.g. SCRAM-SHA-512 with SASL_SSL)
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_request_timeout_ms: int = Field(5000, gt=500)  # > the consumer's fetch_max_wait_ms (500)
    kafka_api_version_timeout_ms: int = 3000  # connecting and learning the broker version
    kafka_call_deadline_s: float = 15.0  # a hard bound on one probe call, whatever the client does
