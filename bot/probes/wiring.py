"""Building the real probes from the runbook and the probe settings."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from bot.probes.arc import ArcRoutingState, DocDbGlobalCluster
from bot.probes.aws import AwsClients
from bot.probes.cloudwatch import (
    CloudWatchAlarms,
    CloudWatchMetrics,
    CloudWatchMsk,
    CloudWatchReader,
    CloudWatchReadiness,
)
from bot.probes.config import ProbeSettings
from bot.probes.documentdb import MongoClients, MongoCollections, MongoFxip
from bot.probes.http_health import HttpDependencies
from bot.probes.kafka import KafkaMskProbe
from bot.probes.s3 import S3Objects
from commands.context import Clock
from cutover.plan.model import Runbook
from cutover.probes import Probes


def build_probes(
    plan: Runbook,
    settings: ProbeSettings,
    clock: Clock,
    *,
    session: Any = None,
    mongo_factory: Any = MongoClient,
    kafka_factories: dict[str, Any] | None = None,
) -> Probes:
    """Every probe over boto3 / pymongo / HTTP / Kafka; regions, alarms, topics and collections from the runbook."""
    clients = AwsClients(settings, session)
    reader = CloudWatchReader(clients, clock)
    checks = plan.data_checks
    threshold = plan.go_nogo.readiness_threshold
    threshold = 0.9 if threshold is None else threshold  # the readiness probe may run without the item
    mongo = MongoClients(
        settings.docdb_uris,
        server_selection_ms=settings.docdb_server_selection_timeout_ms,
        socket_ms=settings.docdb_socket_timeout_ms,
        factory=mongo_factory,
    )
    database = checks.documentdb_database if checks else ""
    return Probes(
        readiness=CloudWatchReadiness(
            clients, plan.to_region, checks.readiness_alarms if checks else [], threshold
        ),
        alarms=CloudWatchAlarms(clients, plan.to_region, settings.critical_alarm_prefix),
        metrics=CloudWatchMetrics(reader, settings.metrics),
        msk=_msk(settings, reader, checks, kafka_factories or {}),
        documentdb=MongoCollections(mongo, database) if settings.docdb_uris else None,
        s3=S3Objects(clients, settings.s3_buckets),
        arc=ArcRoutingState(clients.client, settings.arc_endpoints, settings.arc_controls),
        global_cluster=DocDbGlobalCluster(
            clients.client("docdb", settings.docdb_global_region), settings.docdb_global_cluster
        ),
        dependencies=HttpDependencies(settings.http_timeout_s),
        fxip=MongoFxip(
            mongo, database, settings.fxip_region, settings.fxip_collection, settings.fxip_document_id
        )
        if settings.docdb_uris
        else None,
    )


def _msk(
    settings: ProbeSettings, reader: CloudWatchReader, checks: Any, kafka_factories: dict[str, Any]
) -> Any:
    """MSK over a Kafka client when bootstrap servers are configured, else over CloudWatch metrics."""
    topics = checks.msk_topics if checks else []
    if settings.kafka_bootstrap:
        return KafkaMskProbe.from_settings(settings, topics or None, **kafka_factories)
    return CloudWatchMsk(
        reader,
        checks.msk_cluster if checks else "",
        settings.msk_count_metric,
        settings.msk_lag_namespace,
        topics,
    )


def real_integrity_parts(
    plan: Runbook, clock: Clock, settings: ProbeSettings | None = None
) -> tuple[Probes, Any]:
    """Production: the real probes and the S3 baseline archive the integrity jobs are wired with."""
    from bot.probes.archive import S3Archive

    settings = settings or ProbeSettings()
    probes = build_probes(plan, settings, clock)
    return probes, S3Archive(AwsClients(settings), plan.from_region)
