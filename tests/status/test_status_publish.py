"""Publishing the status page and the dashboard while a cutover runs: S3 (moto), CloudWatch (moto), failures."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from bot.status.website import AccountBlock
from tests.conftest import T0
from tests.status.conftest import WINDOW, StatusBot

BUCKET = "status.nxop.com"
# seed 2.5: phase, elapsed, remaining, status; escalations and the degradation level
PUBLIC_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
)
SEED_METRICS = ["Phase", "ElapsedSeconds", "RemainingSeconds", "Status", "Escalations", "DegradationLevel"]


@pytest.fixture
def aws(monkeypatch):
    """moto's S3 and CloudWatch in us-west-2, the bucket of the runbook's status page created."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-west-2",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
        s3.put_bucket_policy(Bucket=BUCKET, Policy=PUBLIC_READ)
        yield s3, boto3.client("cloudwatch", region_name="us-west-2")


def wired(plan, roster, aws) -> StatusBot:
    bot = StatusBot(plan, roster, "sqlite://", T0)
    bot.services.status_targets.s3, bot.services.status_targets.cloudwatch = aws
    return bot


def page_json(s3) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key="status.json")["Body"].read())


def test_the_page_is_published_at_each_change_and_every_5_minutes_while_running(plan, roster, aws):
    s3, _ = aws
    bot = wired(plan, roster, aws)
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    assert page_json(s3)["status"] == "green" and page_json(s3)["headline"] == "Planned maintenance scheduled"
    bot.go_with_override()
    bot.start_now()
    bot.advance(seconds=1)
    doc = page_json(s3)
    assert (doc["status"], doc["level"], doc["phase"]) == ("yellow", 1, "in_progress")
    assert doc["banner"] == "Maintenance in progress, some features limited"
    assert "Flight Release: Queued for delivery" in doc["services"]["affected"]
    assert doc["contact"] == {
        "hotline": "1-800-NXOP-OPS",
        "channel": "#nxop-cutover",
        "url": "https://status.nxop.com",
    }
    bot.succeed()
    bot.advance(minutes=1)
    published = bot.published()
    phases = [p["phase"] for _, p in published]
    assert phases[0] == "scheduled" and phases[-1] == "completed"
    running = [at for at, p in published if p["phase"] == "in_progress"]
    gaps = [b - a for a, b in zip(running, running[1:], strict=False)]
    assert len(running) >= 4 and max(gaps) <= timedelta(minutes=5)
    doc = page_json(s3)
    assert (doc["status"], doc["level"], doc["phase"]) == ("green", 0, "completed")
    assert doc["eta"] == doc["ended_at"]
    assert [h["phase"] for h in doc["history"]][0] == "completed"  # newest first, this update included
    assert len(doc["history"]) == len(published)
    assert all(p["targets"] == ["s3", "cloudwatch"] for _, p in published)
    html = s3.get_object(Bucket=BUCKET, Key="index.html")
    assert html["ContentType"] == "text/html; charset=utf-8"
    assert "Maintenance complete, all services restored" in html["Body"].read().decode()


def test_a_rollback_turns_the_page_red_at_once(plan, roster, aws):
    s3, _ = aws
    bot = wired(plan, roster, aws)
    bot.to_started(WINDOW)
    bot.advance(minutes=2)
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person(plan.steps_by_id["1A.1"].raci.R[0]))  # something is switched
    bot.ok("rollback R2 connections failing", bot.person("incident_commander"))
    bot.advance(seconds=1)
    doc = page_json(s3)
    assert (doc["status"], doc["level"], doc["phase"]) == ("red", 2, "rolling_back")
    assert doc["banner"] == "Extended maintenance, please wait"
    assert doc["history"][1]["status"] == "yellow"


def test_the_dashboard_has_the_seeds_six_fields_and_the_metrics_are_put(plan, roster, aws):
    _, cloudwatch = aws
    bot = wired(plan, roster, aws)
    bot.to_started(WINDOW)
    bot.advance(minutes=6)
    names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace="NXOP/Cutover")["Metrics"]}
    assert names == set(SEED_METRICS)
    stats = cloudwatch.get_metric_statistics(
        Namespace="NXOP/Cutover",
        MetricName="DegradationLevel",
        Dimensions=[{"Name": "Cutover", "Value": bot.state.cutover_id}],
        StartTime=T0 - timedelta(hours=1),
        EndTime=T0 + timedelta(hours=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert stats and {d["Maximum"] for d in stats} == {1.0}
    body = json.loads(cloudwatch.get_dashboard(DashboardName="NXOP-Cutover-Status")["DashboardBody"])
    text = body["widgets"][0]["properties"]["markdown"]
    for field in ("Current Phase", "Current Step", "Time Elapsed", "Time Remaining", "Status", "Next Phase"):
        assert f"**{field}**" in text
    assert "| **Time Elapsed** | 5m |" in text  # the publication at 5 minutes, still in Phase 0
    assert "| **Current Phase** | Phase 0 - Continuous Readiness Validation |" in text
    graphs = [w["properties"]["metrics"][0][1] for w in body["widgets"][1:]]
    assert graphs == SEED_METRICS


def test_a_failing_target_is_recorded_and_the_others_still_publish(plan, roster, aws):
    s3, cloudwatch = aws
    s3.delete_bucket_website(Bucket=BUCKET)
    s3.delete_bucket(Bucket=BUCKET)
    bot = wired(plan, roster, aws)
    bot.to_started(WINDOW)
    bot.advance(seconds=1)
    _, payload = bot.published()[-1]
    assert payload["targets"] == ["cloudwatch"]
    assert payload["failures"][0].startswith("s3: ") and "NoSuchBucket" in payload["failures"][0]
    assert cloudwatch.list_metrics(Namespace="NXOP/Cutover")["Metrics"]


def test_publishing_twice_at_the_same_moment_publishes_once(plan, roster, aws):
    bot = wired(plan, roster, aws)
    bot.to_started(WINDOW)
    bot.advance(seconds=1)
    before = len(bot.published())
    bot.advance(seconds=0)
    from bot.timeline.fire import fire_due

    fire_due(bot.services, bot.clock.now())
    assert len(bot.published()) == before


def test_a_bucket_without_website_hosting_gets_it_turned_on_with_index_html(plan, roster, aws):
    s3, _ = aws
    s3.delete_bucket_website(Bucket=BUCKET)
    bot = wired(plan, roster, aws)
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    assert s3.get_bucket_website(Bucket=BUCKET)["IndexDocument"] == {"Suffix": "index.html"}
    [(_, first)] = bot.published()
    assert first["targets"] == ["s3", "cloudwatch"] and not first["failures"]
    assert page_json(s3)["phase"] == "scheduled"


def test_a_bucket_serving_another_index_document_is_left_alone_and_the_publication_says_what_is_missing(
    plan, roster, aws
):
    s3, _ = aws
    s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={"IndexDocument": {"Suffix": "home.html"}})
    bot = wired(plan, roster, aws)
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    assert s3.get_bucket_website(Bucket=BUCKET)["IndexDocument"] == {
        "Suffix": "home.html"
    }  # not ours to change
    [(_, first)] = bot.published()
    assert first["targets"] == ["cloudwatch"]
    assert first["failures"] == [
        "s3: bucket status.nxop.com: static website hosting serves index document home.html, "
        "not index.html: set it to index.html"
    ]
    assert page_json(s3)["phase"] == "scheduled"  # the files are there all the same


def test_a_bot_that_may_not_turn_hosting_on_says_which_permission_is_missing(plan, roster, aws):
    from botocore.exceptions import ClientError

    s3, cloudwatch = aws
    s3.delete_bucket_website(Bucket=BUCKET)

    class NoWebsiteRights:  # the bucket's policy lets the bot put objects, not configure the bucket
        def __getattr__(self, name):
            return getattr(s3, name)

        def put_bucket_website(self, **kwargs):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "PutBucketWebsite")

    bot = wired(plan, roster, (NoWebsiteRights(), cloudwatch))
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    [(_, first)] = bot.published()
    assert first["failures"] == [
        "s3: bucket status.nxop.com: static website hosting is off and the bot may not turn it on "
        "(AccessDenied): allow s3:PutBucketWebsite, or turn hosting on with index document index.html"
    ]
    with pytest.raises(ClientError):
        s3.get_bucket_website(Bucket=BUCKET)


def first_publication(bot) -> dict:
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    [(_, first)] = bot.published()
    return first


def test_a_public_bucket_publishes_without_failure_and_keeps_its_settings(plan, roster, aws):
    s3, _ = aws
    bot = wired(plan, roster, aws)
    bot.services.status_targets.s3_account = AccountBlock(
        boto3.client("s3control", region_name="us-west-2"), boto3.client("sts", region_name="us-west-2")
    )
    first = first_publication(bot)
    assert first["targets"] == ["s3", "cloudwatch"] and not first["failures"]
    assert s3.get_bucket_policy_status(Bucket=BUCKET)["PolicyStatus"]["IsPublic"] is True


def test_block_public_access_on_the_bucket_is_the_s3_targets_failure_and_is_left_on(plan, roster, aws):
    s3, _ = aws
    block = {
        name: True
        for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    }
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=block)
    first = first_publication(wired(plan, roster, aws))
    assert first["targets"] == ["cloudwatch"]
    assert first["failures"] == [
        "s3: bucket status.nxop.com: the status page is not public: Block Public Access "
        "(RestrictPublicBuckets) is on for the bucket; the operator must turn it off to publish the page"
    ]
    assert (
        s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == block
    )  # never opened
    assert page_json(s3)["phase"] == "scheduled"  # the files are there all the same


def test_block_public_access_on_the_account_is_the_s3_targets_failure(plan, roster, aws):
    sts = boto3.client("sts", region_name="us-west-2")
    s3control = boto3.client("s3control", region_name="us-west-2")
    s3control.put_public_access_block(
        AccountId=sts.get_caller_identity()["Account"],
        PublicAccessBlockConfiguration={"RestrictPublicBuckets": True, "BlockPublicPolicy": True},
    )
    bot = wired(plan, roster, aws)
    bot.services.status_targets.s3_account = AccountBlock(s3control, sts)
    first = first_publication(bot)
    assert first["targets"] == ["cloudwatch"]
    assert first["failures"] == [
        "s3: bucket status.nxop.com: the status page is not public: Block Public Access "
        "(RestrictPublicBuckets) is on for the account; the operator must turn it off to publish the page"
    ]


def test_an_unreadable_account_setting_is_skipped_and_the_bucket_still_checked(plan, roster, aws):
    from botocore.exceptions import ClientError

    class Denied:
        def get_caller_identity(self):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetCallerIdentity")

    bot = wired(plan, roster, aws)
    bot.services.status_targets.s3_account = AccountBlock(Denied(), Denied())
    first = first_publication(bot)
    assert first["targets"] == ["s3", "cloudwatch"] and not first["failures"]


def test_a_bucket_without_a_public_policy_is_the_s3_targets_failure(plan, roster, aws):
    s3, _ = aws
    s3.delete_bucket_policy(Bucket=BUCKET)
    first = first_publication(wired(plan, roster, aws))
    assert first["targets"] == ["cloudwatch"]
    assert first["failures"] == [
        "s3: bucket status.nxop.com: the status page is not public: no bucket policy allows anonymous "
        "s3:GetObject; the operator must add one"
    ]


def test_a_bot_that_may_not_read_the_policy_status_says_which_permission_is_missing(plan, roster, aws):
    from botocore.exceptions import ClientError

    s3, cloudwatch = aws

    class NoPolicyRights:
        def __getattr__(self, name):
            return getattr(s3, name)

        def get_bucket_policy_status(self, **kwargs):
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetBucketPolicyStatus"
            )

    first = first_publication(wired(plan, roster, (NoPolicyRights(), cloudwatch)))
    assert first["failures"] == [
        "s3: bucket status.nxop.com: whether the status page is public cannot be checked (AccessDenied): "
        "allow s3:GetBucketPolicyStatus"
    ]
