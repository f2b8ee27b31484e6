"""GET /metrics: what an operator watches, in Prometheus's text format, read from a served bot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.serve.metrics import verb_of
from cutover.roster import default_roster_path
from storage import outbox as store
from tests.bot.serve.test_serve_http import IC, serving
from tests.support.slack_http import SlackSender


@pytest.fixture
def served(tmp_path):
    """The bot served over HTTP on a SQLite file."""
    with serving(f"sqlite:///{tmp_path / 'cutover.db'}", default_roster_path()) as bot:
        yield bot


def samples(sender: SlackSender) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by (name, sorted labels)."""
    answer = sender.get("/metrics")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(answer.body.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_acks_are_counted_by_verb_and_outcome_and_timed(served):
    served.command("schedule 2026-12-02 02:00")
    served.command("status")
    served.command("abort", user="U09NOBODY")  # a stranger: refused
    served.command("frobnicate")  # not a verb: refused with the usage
    forged = SlackSender(served.server.url, "not-the-secret")
    assert forged.command("status", user=IC).status == 401
    found = samples(served.sender)
    assert found[("cutover_acks_total", (("outcome", "ok"), ("verb", "schedule")))] == 1
    assert found[("cutover_acks_total", (("outcome", "ok"), ("verb", "status")))] == 1
    assert found[("cutover_acks_total", (("outcome", "refused"), ("verb", "abort")))] == 1
    assert found[("cutover_acks_total", (("outcome", "refused"), ("verb", "unknown")))] == 1
    assert found[("cutover_acks_total", (("outcome", "unauthorized"), ("verb", "unverified")))] == 1
    assert found[("cutover_ack_seconds_count", ())] == 4  # the forged one was refused before any listener
    assert 0 < found[("cutover_ack_seconds_sum", ())] < 4 * 3.0
    assert found[("cutover_leader", ())] == 0  # nothing started the background workers in this fixture


def test_the_outbox_depth_and_its_oldest_age_are_read_at_each_scrape(served):
    db = served.runtime.services.ledger.db
    before = samples(served.sender)[("cutover_outbox_depth", ())]
    store.enqueue(
        engine=db,
        key="held",
        order_key="metrics-test",
        method="chat.postMessage",
        args={"channel": "C0CUTOVER", "text": "held"},
        save_ts_as=None,
        now=served.clock.now(),
    )
    served.clock.advance(timedelta(seconds=90))
    found = samples(served.sender)
    assert found[("cutover_outbox_depth", ())] == before + 1
    assert found[("cutover_outbox_oldest_age_seconds", ())] >= 90


def test_request_labels_are_bounded():
    assert verb_of({"command": "/cutover", "text": "  STEP start 1A.1"}) == "step"
    assert verb_of({"command": "/cutover", "text": "x" * 5000}) == "unknown"
    assert verb_of({"command": "/cutover", "text": ""}) == "help"
    assert verb_of({"type": "block_actions", "actions": [{"action_id": "a" * 500}]}) == "action:" + "a" * 57
    assert verb_of({"type": "view_submission", "view": {"callback_id": "reason"}}) == "view:reason"
    assert (
        verb_of({"type": "event_callback", "event": {"type": "app_home_opened"}}) == "event:app_home_opened"
    )


def test_retries_and_429s_are_counted_by_method(served):
    outbox = served.runtime.services.outbox
    served.slack.fail_next(1, status=429)
    outbox.enqueue(
        method="chat.postMessage", args={"channel": "C0CUTOVER", "text": "one"}, key="m1", order="a"
    )
    served.slack.fail_next(1, status=503)
    outbox.enqueue(
        method="chat.update",
        args={"channel": "C0CUTOVER", "ts": "1.000001", "text": "two"},
        key="m2",
        order="b",
    )
    found = samples(served.sender)
    assert found[("cutover_outbox_retries_total", (("method", "chat.postMessage"),))] == 1
    assert found[("cutover_outbox_retries_total", (("method", "chat.update"),))] == 1
    assert found[("cutover_slack_rate_limited_total", (("method", "chat.postMessage"),))] == 1
    assert ("cutover_slack_rate_limited_total", (("method", "chat.update"),)) not in found
    assert found[("cutover_outbox_depth", ())] == 2  # both wait for their retry
