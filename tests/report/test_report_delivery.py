"""`/cutover report` acks at once, then uploads to the thread, DMs Management and archives to S3."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from moto import mock_aws
from slack_sdk import WebClient

import bot.report.jobs as report_jobs
from bot.outbox.direct import ImmediateOutbox
from cutover.errors import BadArguments, PermissionDenied
from storage import eventlog
from tests.report.conftest import built
from tests.support import report_logs
from tests.support.fake_slack_api import FakeSlackApi

BUCKET = "nxop-cutover-reports"
CHANNEL = "C0CUTOVER"


@pytest.fixture
def slack():
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def wired(plan, roster, tmp_path, slack, s3=None):
    """An R1 cutover on a SQLite file, with a Slack thread (parent message posted) and optionally S3."""
    bot = built(plan, roster, report_logs.r1_log, url=f"sqlite:///{tmp_path / 'cutover.db'}")
    client = WebClient(token="xoxb-test", base_url=slack.url)
    services = bot.services
    services.outbox, services.channel = ImmediateOutbox(client), CHANNEL
    services.slack = client
    if s3 is not None:
        services.reports.archive = s3
    cutover_id = bot.state.cutover_id
    services.outbox.enqueue(
        method="chat.postMessage",
        args={"channel": CHANNEL, "text": "cutover"},
        key="parent",
        save_ts_as=f"parent:{cutover_id}",
    )
    return bot, cutover_id


def last_event(bot, cutover_id):
    return eventlog.history(engine=bot.services.ledger.db, cutover_id=cutover_id)[-1]


def test_the_verb_answers_before_the_report_is_written(plan, roster, tmp_path, slack, monkeypatch):
    release, started = threading.Event(), threading.Event()

    def slow(services, cutover_id, *, key, archive=None):
        started.set()
        assert release.wait(10), "the test never released the report job"
        return report_jobs.Delivery(cutover_id)

    monkeypatch.setattr(report_jobs, "generate", slow)
    bot, cutover_id = wired(plan, roster, tmp_path, slack)
    reply = bot.ok("report", bot.person("operations"))
    assert "being written" in reply and cutover_id in reply
    assert started.wait(10) and not release.is_set()  # the job is still running: the answer did not wait
    assert last_event(bot, cutover_id).event.kind == "report.requested"
    release.set()
    assert [d.cutover_id for d in bot.services.reports.wait()] == [cutover_id]


def test_the_report_is_uploaded_summarised_and_archived(plan, roster, tmp_path, slack, aws):
    aws.create_bucket(Bucket=BUCKET)
    bot, cutover_id = wired(plan, roster, tmp_path, slack, s3=aws)
    parent_ts = bot.services.outbox.ts(f"parent:{cutover_id}")
    assert bot.services.reports.location(cutover_id) == ""  # what the T+24h communication links to
    bot.ok("report", bot.person("incident_commander"))
    [delivery] = bot.services.reports.wait()
    assert delivery.failures == []

    asked = slack.calls_to("files.getUploadURLExternal")
    assert sorted(call["args"]["filename"] for call in asked) == ["report.html", "report.md", "timeline.png"]
    uploads = [call for call in slack.calls if call["method"].startswith("upload/")]
    assert sorted(call["args"]["bytes"] for call in uploads) == sorted(
        len(b) for b in delivery.files.values()
    )
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete["args"]["channel_id"] == CHANNEL and complete["args"]["thread_ts"] == parent_ts
    assert len(complete["args"]["files"]) == 3

    assert slack.calls_to("conversations.open") == [], "a DM is a post to the user ID"
    summary = slack.calls_to("chat.postMessage")[-1]["args"]
    assert summary["channel"] == bot.person("management") and "executive summary" in summary["text"]
    assert "*RED*" in summary["text"] and f"s3://{BUCKET}/{cutover_id}/report.html" in summary["text"]

    keys = sorted(o["Key"] for o in aws.list_objects_v2(Bucket=BUCKET)["Contents"])
    [anchor] = [k for k in keys if "/anchors/" in k]  # the chain head beside the report
    assert [k for k in keys if k != anchor] == [f"{cutover_id}/report.{ext}" for ext in ("html", "md", "png")]
    head = json.loads(aws.get_object(Bucket=BUCKET, Key=anchor)["Body"].read())
    row = eventlog.history(engine=bot.services.ledger.db, cutover_id=cutover_id)[head["seq"] - 1]
    assert anchor == f"{cutover_id}/anchors/{head['seq']:09d}.json" and row.event.kind == "report.requested"
    assert eventlog.verify(engine=bot.services.ledger.db, cutover_id=cutover_id).ok
    body = aws.get_object(Bucket=BUCKET, Key=f"{cutover_id}/report.md")["Body"].read()
    assert body == delivery.files["report.md"]

    generated = last_event(bot, cutover_id).event.payload()
    assert generated["archive"] == f"s3://{BUCKET}/{cutover_id}/report.html"
    assert (
        generated["permalink"] == f"https://nxop.slack.com/archives/{CHANNEL}/p{parent_ts.replace('.', '')}"
    )
    assert report_jobs.location(bot.services, cutover_id) == generated["archive"]
    assert bot.services.reports.location(cutover_id) == generated["archive"]


def test_s3_failing_is_said_in_the_thread_and_the_rest_goes_on(plan, roster, tmp_path, slack, aws):
    bot, cutover_id = wired(plan, roster, tmp_path, slack, s3=aws)  # the bucket does not exist
    bot.ok("report", bot.person("operations"))
    [delivery] = bot.services.reports.wait()
    assert delivery.archive == "" and delivery.failures[0].startswith("the S3 archive:")
    said = [c["args"] for c in slack.calls_to("chat.postMessage") if "S3 archive failed" in c["args"]["text"]]
    assert (
        said
        and said[0]["channel"] == CHANNEL
        and said[0]["thread_ts"] == bot.services.outbox.ts(f"parent:{cutover_id}")
    )
    assert len(slack.calls_to("files.completeUploadExternal")) == 1
    generated = last_event(bot, cutover_id).event.payload()
    assert generated["archive"] == "" and generated["failures"] == delivery.failures
    assert report_jobs.location(bot.services, cutover_id) == generated["permalink"] != ""


def test_slack_down_still_archives_and_records(plan, roster, tmp_path, slack, aws):
    aws.create_bucket(Bucket=BUCKET)
    bot, cutover_id = wired(plan, roster, tmp_path, slack, s3=aws)
    slack.down(True)
    bot.ok("report", bot.person("operations"))
    [delivery] = bot.services.reports.wait()
    assert delivery.archive == f"s3://{BUCKET}/{cutover_id}/report.html"
    assert any(f.startswith("the Slack upload:") for f in delivery.failures)
    assert last_event(bot, cutover_id).event.kind == "report.generated"


def test_report_refusals(plan, roster, tmp_path, slack):
    bot = built(plan, roster, lambda b: None)
    assert "no cutover" in bot.ok("report", bot.person("operations")).lower()
    bot, _ = wired(plan, roster, tmp_path, slack)
    assert isinstance(bot.refused("report nxop-region-switch-9", bot.person("operations")), BadArguments)
    assert isinstance(bot.refused("report", "U09NOTONROSTER"), PermissionDenied)


def test_an_earlier_cutover_s_report_can_be_asked_for(plan, roster, tmp_path, slack):
    bot, first = wired(plan, roster, tmp_path, slack)
    bot.ok("schedule 2026-12-09 02:00", bot.person("incident_commander"))  # a second cutover is now current
    second = bot.state.cutover_id
    assert second != first
    reply = bot.ok(f"report {first}", bot.person("operations"))
    assert first in reply
    [delivery] = bot.services.reports.wait()
    assert delivery.cutover_id == first
    assert last_event(bot, first).event.kind == "report.generated"
    assert last_event(bot, second).event.kind != "report.requested"


def test_help_lists_the_report_verb(plan, roster):
    bot = built(plan, roster, lambda b: None)
    assert "report [cutover-id]" in bot.ok("help", bot.person("operations"))
