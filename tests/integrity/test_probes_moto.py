"""The real CloudWatch and S3 probes against moto (in process), and DocumentDB against mongomock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import mongomock
import pytest
from moto import mock_aws

from bot.clock import FakeClock
from bot.probes.archive import S3Archive
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
from bot.probes.s3 import S3Objects

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
WEST = "us-west-2"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield AwsClients(ProbeSettings())


def put_alarm(cw, name: str, state: str) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName="m",
        Namespace="NXOP/Test",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")


def test_readiness_is_the_share_of_readiness_alarms_in_ok(aws, plan):
    cw = aws.client("cloudwatch", WEST)
    names = plan.data_checks.readiness_alarms
    for name in names:
        put_alarm(cw, name, "OK")
    probe = CloudWatchReadiness(aws, WEST, names, 0.9)
    assert (probe.readiness().ok, probe.readiness().value) == (True, 1.0)
    put_alarm(cw, names[1], "ALARM")
    reading = probe.readiness()
    assert (reading.ok, reading.value, reading.details["not_ok"]) == (False, 0.75, [f"{names[1]} (ALARM)"])
    missing = CloudWatchReadiness(aws, WEST, [*names, "nxop-usw2-readiness-unknown"], 0.9).readiness()
    assert "nxop-usw2-readiness-unknown (MISSING)" in missing.details["not_ok"]


def test_critical_alarms_are_those_in_alarm_under_the_prefix(aws):
    cw = aws.client("cloudwatch", WEST)
    put_alarm(cw, "nxop-usw2-api-5xx", "ALARM")
    put_alarm(cw, "nxop-usw2-latency", "OK")
    put_alarm(cw, "other-team-alarm", "ALARM")
    reading = CloudWatchAlarms(aws, WEST, "nxop-usw2").critical_alarms()
    assert (reading.ok, reading.value) == (False, ["nxop-usw2-api-5xx"])


def test_msk_counts_and_consumer_lag_from_cloudwatch_metrics(aws, plan):
    settings = ProbeSettings()
    cw = aws.client("cloudwatch", WEST)
    checks = plan.data_checks
    for n, topic in enumerate(checks.msk_topics):
        dims = [{"Name": "Cluster Name", "Value": checks.msk_cluster}, {"Name": "Topic", "Value": topic}]
        for minutes, value in ((-5, 1000 * n), (-1, 1000 * n + 7)):
            cw.put_metric_data(
                Namespace=settings.msk_count_metric.namespace,
                MetricData=[
                    {
                        "MetricName": settings.msk_count_metric.name,
                        "Dimensions": dims,
                        "Value": value,
                        "Timestamp": NOW + timedelta(minutes=minutes),
                    }
                ],
            )
        for group, lag in (("fos-consumer", 400), ("flightkeys-consumer", 20)):
            cw.put_metric_data(
                Namespace="AWS/Kafka",
                MetricData=[
                    {
                        "MetricName": "SumOffsetLag",
                        "Value": lag,
                        "Timestamp": NOW - timedelta(minutes=1),
                        "Dimensions": [
                            {"Name": "Cluster Name", "Value": checks.msk_cluster},
                            {"Name": "Consumer Group", "Value": group},
                            {"Name": "Topic", "Value": topic},
                        ],
                    }
                ],
            )
    msk = CloudWatchMsk(
        CloudWatchReader(aws, FakeClock(NOW)),
        checks.msk_cluster,
        settings.msk_count_metric,
        "AWS/Kafka",
        checks.msk_topics,
    )
    counts = msk.topic_counts(WEST, checks.msk_topics)
    assert (counts.ok, counts.value) == (True, {t: 1000 * n + 7 for n, t in enumerate(checks.msk_topics)})
    lag = msk.consumer_lag(WEST, checks.consumer_groups)
    assert lag.value == {"fos-consumer": 1200, "flightkeys-consumer": 60}
    assert (lag.ok, lag.error) == (None, "no SumOffsetLag for databricks-consumer")
    stale = CloudWatchMsk(
        CloudWatchReader(aws, FakeClock(NOW + timedelta(hours=2))),
        checks.msk_cluster,
        settings.msk_count_metric,
        "AWS/Kafka",
        checks.msk_topics,
    )
    assert stale.topic_counts(WEST, checks.msk_topics).ok is None  # a stale datapoint is not a reading


def test_platform_metrics_latest_datapoints(aws):
    settings = ProbeSettings()
    cw = aws.client("cloudwatch", WEST)
    for key, value in (("error_rate_pct", 0.2), ("latency_p95_ms", 310.0)):
        spec = settings.metrics[key]
        cw.put_metric_data(
            Namespace=spec.namespace,
            MetricData=[{"MetricName": spec.name, "Value": value, "Timestamp": NOW - timedelta(minutes=2)}],
        )
    metrics = CloudWatchMetrics(CloudWatchReader(aws, FakeClock(NOW)), settings.metrics).metrics(WEST)
    assert (metrics.error_rate_pct, metrics.latency_p95_ms, metrics.throughput) == (0.2, 310.0, None)


def test_s3_lists_every_object_across_pages_with_etags(aws):
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="nxop-pilot-documents")
    for i in range(205):
        s3.put_object(Bucket="nxop-pilot-documents", Key=f"docs/{i:04}.pdf", Body=f"doc {i}".encode())
    s3.put_object(Bucket="nxop-pilot-documents", Key="other/x.pdf", Body=b"x")
    reading = S3Objects(aws, page_size=50).objects("us-east-1", "nxop-pilot-documents", "docs/")  # 5 pages
    assert reading.ok and len(reading.value) == 205 and "other/x.pdf" not in reading.value
    head = s3.head_object(Bucket="nxop-pilot-documents", Key="docs/0007.pdf")
    assert reading.value["docs/0007.pdf"] == head["ETag"].strip('"')
    missing = S3Objects(aws).objects("us-east-1", "no-such-bucket")
    assert missing.ok is None and "NoSuchBucket" in missing.error


def test_s3_reads_a_regions_replica_bucket_by_its_own_name(aws):
    s3 = boto3.client("s3", region_name=WEST)
    s3.create_bucket(
        Bucket="nxop-pilot-documents-usw2", CreateBucketConfiguration={"LocationConstraint": WEST}
    )
    s3.put_object(Bucket="nxop-pilot-documents-usw2", Key="a.pdf", Body=b"a")
    probe = S3Objects(aws, {WEST: {"nxop-pilot-documents": "nxop-pilot-documents-usw2"}})
    assert list(probe.objects(WEST, "nxop-pilot-documents").value) == ["a.pdf"]


def test_baseline_archive_is_written_as_json(aws):
    aws.client("s3", "us-east-1").create_bucket(Bucket="nxop-cutover-baselines")
    uri = S3Archive(aws, "us-east-1").put_json(
        "nxop-cutover-baselines", "c-1/20261202T070000Z.json", {"msk": {"t": 1}}
    )
    body = aws.client("s3", "us-east-1").get_object(
        Bucket="nxop-cutover-baselines", Key="c-1/20261202T070000Z.json"
    )
    assert uri == "s3://nxop-cutover-baselines/c-1/20261202T070000Z.json" and b'"t": 1' in body["Body"].read()


def mongo_with(data: dict[str, list[dict]]) -> MongoClients:
    client = mongomock.MongoClient()
    for name, docs in data.items():
        if docs:
            client["nxop"][name].insert_many(docs)
    return MongoClients(
        {"us-east-1": "mongodb://east", "us-west-2": "mongodb://west"}, factory=lambda uri, **options: client
    )


def test_documentdb_counts_and_version_checksums_with_mongomock():
    clients = mongo_with(
        {
            "flight_plans": [{"_id": i, "version": i % 3} for i in range(10)],
            "crew_credentials": [],
            "fxip": [{"_id": "active_region", "region": "us-east-1"}],
        }
    )
    reading = MongoCollections(clients, "nxop").collection_stats(
        "us-east-1", ["flight_plans", "crew_credentials"], "version"
    )
    assert reading.value == {
        "flight_plans": {"count": 10, "checksum": 9},
        "crew_credentials": {"count": 0, "checksum": 0},
    }
    assert MongoFxip(clients, "nxop", "us-east-1").active_region().value == "us-east-1"
    unconfigured = MongoCollections(clients, "nxop").collection_stats(
        "eu-west-1", ["flight_plans"], "version"
    )
    assert unconfigured.ok is None and "no DocumentDB URI configured for eu-west-1" in unconfigured.error
