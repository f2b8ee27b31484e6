"""The chain head anchored in S3 (with Object Lock where the bucket has it) and read back, with the status
posts' Slack metadata, by `cutover-bot audit verify`: a recomputed chain is caught and the anchor named."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from slack_sdk import WebClient
from sqlalchemy import text

from bot.cli import main
from bot.integrity.anchors import anchor_key, write_anchor
from storage import eventlog
from storage.anchors import SUFFIX
from storage.eventlog import canonical_row
from tests.conftest import T0
from tests.support.bot import CommandBot
from tests.support.fake_slack_api import FakeSlackApi

BUCKET, LOCKED = "nxop-cutover-reports", "nxop-cutover-anchors-locked"
IC = "U01AAAA"


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in [n for n in __import__("os").environ if n.startswith("CUTOVER_PROBE_")]:
        monkeypatch.delenv(name)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.create_bucket(Bucket=LOCKED, ObjectLockEnabledForBucket=True)
        client.put_object_lock_configuration(
            Bucket=LOCKED,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}},
            },
        )
        yield client


def test_an_anchor_in_a_plain_bucket_is_the_chain_head_as_json(s3):
    where = write_anchor(s3, BUCKET, "c1", 12, "ab" * 32, T0)
    assert where == f"s3://{BUCKET}/c1/anchors/000000012.json"
    head = json.loads(s3.get_object(Bucket=BUCKET, Key=anchor_key("c1", 12))["Body"].read())
    assert head == {"cutover_id": "c1", "seq": 12, "hash": "ab" * 32, "at": T0.isoformat()}
    assert "ObjectLockMode" not in s3.head_object(Bucket=BUCKET, Key=anchor_key("c1", 12))


def test_an_anchor_in_a_bucket_with_object_lock_is_retained_and_cannot_be_deleted(s3):
    write_anchor(s3, LOCKED, "c1", 12, "ab" * 32, T0)
    stored = s3.head_object(Bucket=LOCKED, Key=anchor_key("c1", 12))
    assert stored["ObjectLockMode"] == "COMPLIANCE"
    assert stored["ObjectLockRetainUntilDate"] == T0 + timedelta(days=30)
    with pytest.raises(ClientError):  # not even with the bot's own credentials, before the retention ends
        s3.delete_object(Bucket=LOCKED, Key=anchor_key("c1", 12), VersionId=stored["VersionId"])


def logged(plan, roster, url: str) -> tuple[CommandBot, str]:
    """A cutover with a few notes; its anchor file (SQLite) removed: the anchors outside are under test."""
    bot = CommandBot(plan, roster, url, T0)
    bot.ok("schedule 2026-12-09 02:00", IC)
    for i in range(6):
        bot.ok(f"note issue bridge check {i}", IC)
    drop_anchor_file(bot)
    return bot, bot.state.cutover_id


def drop_anchor_file(bot) -> None:
    """As on PostgreSQL: no anchor file beside the database."""
    database = bot.services.ledger.db
    if database.dialect.name == "sqlite":
        Path(database.url.database + SUFFIX).unlink(missing_ok=True)


def rewrite(database, cutover_id: str, from_seq: int) -> None:
    """What an attacker with the database does: edit a row and recompute the chain from it (no key here)."""
    with database.begin() as connection:
        connection.execute(
            text("UPDATE events SET actor = 'U03AAAA' WHERE cutover_id = :c AND seq = :s"),
            {"c": cutover_id, "s": from_seq},
        )
        rows = connection.execute(
            text("SELECT seq, at, actor, kind, payload, hash FROM events WHERE cutover_id = :c ORDER BY seq"),
            {"c": cutover_id},
        ).all()
        prev = eventlog.GENESIS
        for seq, at, actor, kind, payload, digest in rows:
            if seq >= from_seq:
                at_iso = eventlog._moment(at).isoformat()
                digest = eventlog.chain_hash(
                    prev, canonical_row(cutover_id, seq, at_iso, actor, kind, payload)
                )
                connection.execute(
                    text("UPDATE events SET prev_hash = :p, hash = :h WHERE cutover_id = :c AND seq = :s"),
                    {"p": prev, "h": digest, "c": cutover_id, "s": seq},
                )
            prev = digest


def anchor_now(bot, cutover_id: str, bucket: str) -> int:
    seq, digest = eventlog.chain_head(engine=bot.services.ledger.db, cutover_id=cutover_id)
    write_anchor(boto3.client("s3", region_name="us-east-1"), bucket, cutover_id, seq, digest, T0)
    return seq


def test_audit_verify_catches_a_recomputed_chain_with_the_s3_anchors(plan, roster, db_url, s3, capsys):
    bot, cutover_id = logged(plan, roster, db_url)
    anchored = anchor_now(bot, cutover_id, BUCKET)
    bot.ok("note issue after the anchor", IC)  # rows after the last anchor are not suspect
    drop_anchor_file(bot)
    verify = ["audit", "verify", "--db", db_url, "--s3-bucket", BUCKET]
    assert main(verify) == 0
    out = capsys.readouterr().out
    assert f"s3://{BUCKET}: 1 anchor(s)" in out and "hash chain intact" in out

    assert main(["audit", "verify", "--db", db_url]) == 0  # without the anchors nothing shows it ...
    capsys.readouterr()
    rewrite(bot.services.ledger.db, cutover_id, 4)
    assert main(["audit", "verify", "--db", db_url]) == 0
    capsys.readouterr()
    assert main(verify) == 1  # ... with them, the row and the anchor that disagrees are named
    out = capsys.readouterr().out
    assert (
        f"{cutover_id}: FAILED at row {anchored}: row {anchored} (note.added) differs from its anchor "
        f"s3://{BUCKET}/{anchor_key(cutover_id, anchored)} (the chain was recomputed)"
    ) in out


def test_audit_verify_with_the_runbook_buckets_catches_a_truncated_log(plan, roster, db_url, s3, capsys):
    bot, cutover_id = logged(plan, roster, db_url)
    bucket = plan.data_checks.reports_bucket
    s3.create_bucket(Bucket=bucket)  # the baseline bucket is missing: said, never a pass
    anchored = anchor_now(bot, cutover_id, bucket)
    with bot.services.ledger.db.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE cutover_id = :c AND seq >= 5"), {"c": cutover_id})
    assert main(["audit", "verify", "--db", db_url, "--s3"]) == 1
    out = capsys.readouterr().out
    assert f"FAILED at row 5: rows 5 to {anchored} are missing: the anchors saw them" in out
    assert f"s3://{bucket}/{anchor_key(cutover_id, anchored)}" in out
    baselines = plan.data_checks.baseline_bucket
    assert f"anchors: FAILED, s3://{baselines} cannot be read: NoSuchBucket" in out


def test_an_edited_or_moved_anchor_object_fails_the_audit(plan, roster, db_url, s3, capsys):
    bot, cutover_id = logged(plan, roster, db_url)
    seq = anchor_now(bot, cutover_id, BUCKET)
    s3.copy_object(
        Bucket=BUCKET,
        Key=f"{cutover_id}/anchors/000000001.json",
        CopySource=f"{BUCKET}/{anchor_key(cutover_id, seq)}",
    )
    s3.put_object(Bucket=BUCKET, Key=f"{cutover_id}/anchors/000000002.json", Body=b"not json")
    assert main(["audit", "verify", "--db", db_url, "--s3-bucket", BUCKET]) == 1
    out = capsys.readouterr().out
    assert (
        f"anchors: FAILED, s3://{BUCKET}/{cutover_id}/anchors/000000002.json is not an anchor (edited)" in out
    )
    assert f"000000001.json names another row ({cutover_id} row {seq}): moved" in out


def test_audit_verify_reads_the_chain_heads_of_the_status_posts_in_slack(
    plan, roster, db_url, monkeypatch, capsys
):
    bot, cutover_id = logged(plan, roster, db_url)
    seq, digest = eventlog.chain_head(engine=bot.services.ledger.db, cutover_id=cutover_id)
    with FakeSlackApi() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        parent = client.chat_postMessage(  # the cutover's parent message, as the outbox posts it
            channel="C0CUTOVER",
            text="Cutover",
            metadata={
                "event_type": "cutover_outbox",
                "event_payload": {"outbox_key": f"parent:{cutover_id}"},
            },
        )["ts"]
        client.chat_postMessage(  # a status post as bot/timeline/actions.py writes it
            channel="C0CUTOVER",
            thread_ts=parent,
            text="CUTOVER STATUS UPDATE",
            metadata={
                "event_type": "cutover_chain_head",
                "event_payload": {"cutover_id": cutover_id, "seq": seq, "hash": digest},
            },
        )
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        monkeypatch.setenv("CUTOVER_CHANNEL", "C0CUTOVER")
        verify = ["audit", "verify", "--db", db_url, "--slack", "--slack-token", "xoxp-a-user-token"]
        assert main(verify) == 0
        assert "Slack C0CUTOVER: 1 anchor(s)" in capsys.readouterr().out
        rewrite(bot.services.ledger.db, cutover_id, 3)
        assert main(verify) == 1
        out = capsys.readouterr().out
        methods = [c["method"] for c in slack.calls]
    assert (
        f"FAILED at row {seq}: row {seq} (note.added) differs from its anchor in Slack (C0CUTOVER, message"
        in out
    )
    assert {"conversations.history", "conversations.replies"} <= set(methods)


def _status_post_in_a_thread(slack: FakeSlackApi, cutover_id: str, seq: int, digest: str) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.url)
    parent = client.chat_postMessage(
        channel="C0CUTOVER",
        text="Cutover",
        metadata={"event_type": "cutover_outbox", "event_payload": {"outbox_key": f"parent:{cutover_id}"}},
    )["ts"]
    client.chat_postMessage(
        channel="C0CUTOVER",
        thread_ts=parent,
        text="CUTOVER STATUS UPDATE",
        metadata={
            "event_type": "cutover_chain_head",
            "event_payload": {"cutover_id": cutover_id, "seq": seq, "hash": digest},
        },
    )


def test_audit_verify_reads_the_threads_with_the_user_token_when_no_token_is_given(
    plan, roster, db_url, monkeypatch, capsys
):
    bot, cutover_id = logged(plan, roster, db_url)
    seq, digest = eventlog.chain_head(engine=bot.services.ledger.db, cutover_id=cutover_id)
    with FakeSlackApi() as slack:
        _status_post_in_a_thread(slack, cutover_id, seq, digest)
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        monkeypatch.setenv("CUTOVER_CHANNEL", "C0CUTOVER")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-the-bot")
        monkeypatch.delenv("SLACK_USER_TOKEN", raising=False)
        assert main(["audit", "verify", "--db", db_url, "--slack"]) == 0
        out = capsys.readouterr().out
        assert "Slack C0CUTOVER: 0 anchor(s)" in out  # the bot token alone cannot read the thread
        assert "1 thread(s) not readable with this token (not_allowed_token_type)" in out
        slack.clear()
        monkeypatch.setenv("SLACK_USER_TOKEN", "xoxp-the-user")
        assert main(["audit", "verify", "--db", db_url, "--slack"]) == 0
        assert "Slack C0CUTOVER: 1 anchor(s)" in capsys.readouterr().out
        used = {c["method"]: c["headers"].get("Authorization", "") for c in slack.calls}
    assert used["conversations.replies"] == "Bearer xoxp-the-user"  # the user token reads only the thread
    assert used["conversations.history"] == "Bearer xoxb-the-bot"


def test_audit_verify_says_what_it_cannot_read(db_url, monkeypatch, capsys):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_USER_TOKEN", raising=False)
    assert main(["audit", "verify", "--db", db_url, "--slack"]) == 1
    assert (
        "anchors: FAILED, Slack: no token (give --slack-token or set SLACK_USER_TOKEN or SLACK_BOT_TOKEN)"
        in capsys.readouterr().out
    )
