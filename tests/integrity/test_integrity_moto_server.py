"""Baseline, validation and reconciliation through the real probes over HTTP: moto's server mode on
127.0.0.1 (CloudWatch, S3) and mongomock (DocumentDB), with data and faults built by the test."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import mongomock
import pytest
from moto.server import ThreadedMotoServer

from bot.integrity.jobs import wire
from bot.probes.archive import S3Archive
from bot.probes.aws import AwsClients
from bot.probes.config import ProbeSettings
from bot.probes.wiring import build_probes
from storage import eventlog
from tests.integrity.helpers import RecordingOutbox
from tests.support.bot import CommandBot
from tests.support.words import check, difference

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
EAST, WEST = "us-east-1", "us-west-2"


@pytest.fixture(scope="module")
def moto_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def platform(moto_url, plan, roster, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    _reset(moto_url)  # each test builds its own platform on the shared server
    return Platform(moto_url, plan, roster)


def _reset(url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=5).read()


class Platform:
    """East and West as moto and mongomock hold them, and a bot whose real probes read them over HTTP."""

    def __init__(self, url: str, plan, roster) -> None:
        self.plan, self.checks = plan, plan.data_checks
        self.cw = {r: boto3.client("cloudwatch", region_name=r, endpoint_url=url) for r in (EAST, WEST)}
        self.s3 = {r: boto3.client("s3", region_name=r, endpoint_url=url) for r in (EAST, WEST)}
        self.mongo = {r: mongomock.MongoClient() for r in (EAST, WEST)}
        self.bot = CommandBot(plan, roster, "sqlite://", T0)
        settings = ProbeSettings(
            aws_endpoint_url=url,
            s3_buckets={WEST: {loc.bucket: f"{loc.bucket}-usw2" for loc in self.checks.s3}},
            docdb_uris={EAST: "mongodb://east", WEST: "mongodb://west"},
        )
        mongo_by_uri = {"mongodb://east": self.mongo[EAST], "mongodb://west": self.mongo[WEST]}
        probes = build_probes(
            plan, settings, self.bot.clock, mongo_factory=lambda uri, **opts: mongo_by_uri[uri]
        )
        self.outbox = RecordingOutbox()
        self.bot.services.outbox = self.outbox
        wire(self.bot.services, probes=probes, archive=S3Archive(AwsClients(settings), EAST), inline=True)
        self.s3[EAST].create_bucket(Bucket=self.checks.baseline_bucket)
        for region in (EAST, WEST):
            for loc in self.checks.s3:
                name = loc.bucket if region == EAST else f"{loc.bucket}-usw2"
                config = {} if region == EAST else {"CreateBucketConfiguration": {"LocationConstraint": WEST}}
                self.s3[region].create_bucket(Bucket=name, **config)
                for i in range(3):
                    self.s3[region].put_object(
                        Bucket=name, Key=f"doc-{i}.pdf", Body=f"{loc.bucket} {i}".encode()
                    )
            for n, coll in enumerate(self.checks.collections):
                self.mongo[region]["nxop"][coll].insert_many([{"version": v % 4} for v in range(20 + n)])
            self.metrics(region, counts={t: 5000 + n for n, t in enumerate(self.checks.msk_topics)}, lag=50)
        for name in self.checks.readiness_alarms:
            self.cw[WEST].put_metric_alarm(
                AlarmName=name,
                MetricName="m",
                Namespace="NXOP/Test",
                Statistic="Average",
                Period=60,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanThreshold",
            )
            self.cw[WEST].set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")

    def metrics(self, region: str, counts: dict[str, int], lag: int, group: str | None = None) -> None:
        """Publish per-topic counts and per-group lag at the bot's current time."""
        at = self.bot.clock.now() - timedelta(seconds=30)
        data = [
            {
                "MetricName": "TopicEndOffsetSum",
                "Value": count,
                "Timestamp": at,
                "Dimensions": [
                    {"Name": "Cluster Name", "Value": self.checks.msk_cluster},
                    {"Name": "Topic", "Value": topic},
                ],
            }
            for topic, count in counts.items()
        ]
        self.cw[region].put_metric_data(Namespace="NXOP/MSK", MetricData=data)
        lags = [
            {
                "MetricName": "SumOffsetLag",
                "Value": lag,
                "Timestamp": at,
                "Dimensions": [
                    {"Name": "Cluster Name", "Value": self.checks.msk_cluster},
                    {"Name": "Consumer Group", "Value": g},
                    {"Name": "Topic", "Value": t},
                ],
            }
            for g in ([group] if group else self.checks.consumer_groups)
            for t in self.checks.msk_topics
        ]
        self.cw[region].put_metric_data(Namespace="AWS/Kafka", MetricData=lags)


def test_baseline_validation_and_reconciliation_over_http(platform):
    bot, checks = platform.bot, platform.checks
    ic, dba = bot.person("incident_commander"), bot.person("database_admin")
    bot.ok("schedule 2026-12-02 08:00", ic)
    bot.ok("baseline capture", dba)
    baseline = bot.state.integrity.baseline
    assert baseline["msk"] == {t: 5000 + n for n, t in enumerate(checks.msk_topics)}
    assert baseline["documentdb"]["flight_plans"] == {"count": 21, "checksum": sum(v % 4 for v in range(21))}
    assert baseline["s3"]["nxop-pilot-documents/"]["count"] == 3 and baseline["unknown"] == {}
    archive = baseline["archive"]
    assert archive.startswith(f"s3://{checks.baseline_bucket}/{bot.state.cutover_id}/20261202T0600")
    stored = platform.s3[EAST].get_object(Bucket=checks.baseline_bucket, Key=archive.split("/", 3)[3])
    assert json.loads(stored["Body"].read())["msk"] == baseline["msk"]
    # beside it, the chain head of the moment (an anchor of the log outside the database)
    listed = platform.s3[EAST].list_objects_v2(
        Bucket=checks.baseline_bucket, Prefix=f"{bot.state.cutover_id}/anchors/"
    )
    [anchor] = [o["Key"] for o in listed["Contents"]]
    head = json.loads(platform.s3[EAST].get_object(Bucket=checks.baseline_bucket, Key=anchor)["Body"].read())
    history = eventlog.history_verified(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)[0]
    assert head["seq"] == len(history) - 1  # the head before the baseline's own event
    assert eventlog.verify(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id).ok

    bot.advance(minutes=20)
    platform.metrics(WEST, counts={t: 5100 for t in checks.msk_topics}, lag=10)
    bot.ok("validate", dba)
    assert bot.state.integrity.validation["passed"] is True

    # Faults during the cutover: an S3 object deleted, a collection that lost documents, lag stuck above 1,000.
    bot.advance(minutes=5)
    platform.s3[WEST].delete_object(Bucket="nxop-flight-plans-usw2", Key="doc-1.pdf")
    platform.mongo[WEST]["nxop"]["crew_credentials"].delete_many({"version": 3})
    platform.metrics(WEST, counts={t: 5100 for t in checks.msk_topics}, lag=300, group="fos-consumer")
    platform.metrics(WEST, counts={}, lag=1500, group="flightkeys-consumer")
    bot.ok("validate", dba)
    failed = {
        (i["source"], i["name"]): i for i in bot.state.integrity.validation["items"] if i["result"] == "fail"
    }
    assert set(failed) == {
        ("s3", "nxop-flight-plans/"),
        ("documentdb", "crew_credentials"),
        ("consumer_lag", "flightkeys-consumer"),
        ("consumer_lag", "fos-consumer"),  # under 1,000, but risen far above its baseline (seed 3.2)
    }
    assert "lag rose" in check(failed[("consumer_lag", "fos-consumer")])
    assert failed[("documentdb", "crew_credentials")]["delta"] == -5
    assert "5 documents lost (22 -> 17)" in check(failed[("documentdb", "crew_credentials")])
    assert "doc-1.pdf" in check(failed[("s3", "nxop-flight-plans/")])
    assert "lag 4,500 >= 1,000" in check(failed[("consumer_lag", "flightkeys-consumer")])
    thread = platform.outbox.texts()[-1]
    assert "Data validation FAILED" in thread and "DocumentDB collection *crew_credentials*" in thread

    platform.metrics(EAST, counts={t: 5000 + n for n, t in enumerate(checks.msk_topics)}, lag=0)
    bot.ok("reconcile", dba)
    diffs = bot.state.integrity.reconciliation["differences"]
    details = {(d["source"], d["name"], difference(d)) for d in diffs}
    assert ("s3", "nxop-flight-plans/doc-1.pdf", "only in East") in details
    assert ("documentdb", "crew_credentials", "document counts differ by 5") in details
    assert any(
        d["source"] == "msk" and "differ by" in difference(d) for d in diffs
    )  # 5100 vs 5000-5002: > 0.1%
    assert "East/West reconciliation" in bot.ok("reconcile show", ic)


def test_msk_counts_within_the_tolerance_reconcile(platform):
    bot, checks = platform.bot, platform.checks
    bot.ok("schedule 2026-12-02 08:00", bot.person("incident_commander"))
    platform.metrics(
        WEST, counts={t: 5000 + n + 4 for n, t in enumerate(checks.msk_topics)}, lag=50
    )  # < 0.1%
    bot.ok("reconcile", bot.person("operations"))
    assert bot.state.integrity.reconciliation == {"passed": True, "differences": []}
    assert "no difference" in platform.outbox.texts()[-1]


def _to_r2_validation(platform) -> tuple:
    """Baseline at T-1h, GO, Phase 0, 1A.1 started, R2 ordered and its steps done up to R2.5."""
    bot = platform.bot
    ic, dba = bot.person("incident_commander"), bot.person("database_admin")
    bot.ok("schedule 2026-12-02 07:00", ic)
    bot.ok("baseline capture", dba)
    bot.go_with_override()
    bot.start_now()
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person(platform.plan.steps_by_id["1A.1"].raci.R[0]))
    bot.ok("rollback R2 DocumentDB connections failing", ic)
    for step in platform.plan.rollbacks_by_id["R2"].steps[:5]:
        bot.do_step(step.id)
    return bot, ic, dba


def test_r2_6_runs_the_data_validation_and_a_failing_one_keeps_the_rollback_from_completing(platform):
    bot, ic, dba = _to_r2_validation(platform)
    lost = platform.mongo[EAST]["nxop"]["crew_credentials"]
    removed = list(lost.find({"version": 3}))
    lost.delete_many({"version": 3})  # East lost documents while it was not primary
    bot.do_step(
        "R2.6"
    )  # starting it runs the validation of the region restored, us-east-1, against the baseline
    validations = [r for r in _history(bot) if r.event.kind == "validation.completed"]
    assert len(validations) == 1 and validations[0].at == bot.state.step("R2.6").started_at
    failed = [i for i in validations[0].event.items if i["result"] == "fail"]
    assert [(i["source"], i["name"], i["delta"]) for i in failed] == [("documentdb", "crew_credentials", -5)]
    assert "Data validation FAILED" in platform.outbox.texts()[-1]
    bot.do_step("R2.7")

    said = bot.run("rollback confirm 6 counts look fine to me", dba)
    assert bot.last_error is not None and bot.last_error.reason == "rollback_item_needs_validation"
    assert "item 6 (Data Consistency: No data loss, replication lag < 30s) is confirmed once" in said
    assert "crew_credentials (5 documents lost (22 -> 17))" in said, said
    bot.confirm_rollback_checklist()  # every role confirms all it can: item 6 stays open
    state = bot.state
    assert state.status == "rolling_back" and 6 not in state.rollback.confirmed
    assert sorted(state.rollback.confirmed) == [1, 2, 3, 4, 5, 7, 8, 9, 10]
    assert not [r for r in _history(bot) if r.event.kind == "rollback.completed"]

    lost.insert_many(removed)  # restored from the snapshot
    bot.advance(minutes=2)
    bot.ok("validate", dba)
    assert bot.state.integrity.validation["passed"] is True
    bot.ok("rollback confirm 6 counts match the baseline again", dba)
    assert bot.state.status == "rolled_back"
    [completed] = [r for r in _history(bot) if r.event.kind == "rollback.completed"]
    assert completed.at > bot.state.integrity.validation_at - timedelta(seconds=1)


def test_a_passing_validation_at_r2_6_lets_its_item_be_confirmed_but_not_before_it_ran(platform):
    bot, ic, dba = _to_r2_validation(platform)
    bot.ok("validate", dba)  # a validation before R2.6 started does not count for the checklist
    bot.do_step("R2.6")
    bot.ok("step start R2.7", bot.person("operations"))
    assert [r.event.passed for r in _history(bot) if r.event.kind == "validation.completed"] == [True, True]
    bot.ok("step done R2.7", bot.person("operations"))
    bot.ok("rollback confirm 6 validated by the bot", dba)
    assert 6 in bot.state.rollback.confirmed


def _history(bot):
    from storage.eventlog import history

    return history(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)


def test_r3_validates_at_r2_6_and_again_at_r3_4_and_its_data_item_waits_for_the_last(platform):
    bot = platform.bot
    ic, dba = bot.person("incident_commander"), bot.person("database_admin")
    bot.ok("schedule 2026-12-02 07:00", ic)
    bot.ok("baseline capture", dba)
    bot.go_with_override()
    bot.start_now()
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person(platform.plan.steps_by_id["1A.1"].raci.R[0]))
    bot.ok("rollback R3 data corruption suspected", ic)
    steps = [s for s in platform.plan.rollbacks_by_id["R3"].steps if not s.parallel]
    for step in steps[: [s.id for s in steps].index("R3.4")]:
        bot.do_step(step.id)
    assert [r.at for r in _history(bot) if r.event.kind == "validation.completed"] == [
        bot.state.step("R2.6").started_at
    ]
    bot.ok("step start R3.4", dba)
    validations = [r for r in _history(bot) if r.event.kind == "validation.completed"]
    assert [r.at for r in validations] == [
        bot.state.step("R2.6").started_at,
        bot.state.step("R3.4").started_at,
    ]
    assert all(r.event.passed for r in validations)
    bot.advance(minutes=10)
    bot.ok("step done R3.4", dba)
    bot.do_step("R3.5")
    bot.confirm_rollback_checklist()
    assert bot.state.status == "rolled_back" and 4 in bot.state.rollback.confirmed
