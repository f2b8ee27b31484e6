"""The bot writes the report by itself before the T+24h communication, which links to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cutover.report.schedule import REPORT_LEAD, report_due
from cutover.state import CutoverState, Status
from storage import eventlog
from tests.support.slack_bot import IC, MGMT, CutoverSlackBot
from tests.timeline.harness import run_to_success

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def history(bot, kind: str) -> list:
    cutover_id = bot.state.cutover_id
    return [
        r
        for r in eventlog.history(engine=bot.services.ledger.db, cutover_id=cutover_id)
        if r.event.kind == kind
    ]


@pytest.fixture(scope="module")
def a_day_after(plan, roster):
    """A cutover that succeeded, then a day and a bit on the virtual clock (the console's engine)."""
    bot = CutoverSlackBot(plan, roster, START)
    bot.to_started()
    run_to_success(bot, step_minutes=0.5)
    assert bot.state.status == Status.SUCCEEDED
    bot.advance(minutes=24 * 60 + 1)
    return bot


def test_the_report_is_asked_for_by_the_bot_a_quarter_of_an_hour_before_the_t_plus_24h_message(a_day_after):
    bot = a_day_after
    ended = bot.state.ended_at
    requested = history(bot, "report.requested")
    assert [(r.actor, r.at) for r in requested] == [
        ("cutover-bot", ended + timedelta(hours=24) - REPORT_LEAD)
    ]
    generated = history(bot, "report.generated")
    assert len(generated) == 1 and generated[0].event.failures is None
    sent = next(r for r in history(bot, "comm.sent") if r.event.comm_id == "T+24h")
    assert generated[0].seq < sent.seq


def test_the_report_is_uploaded_into_the_cutover_thread_and_the_t_plus_24h_message_links_to_it(a_day_after):
    bot = a_day_after
    parent = bot.services.outbox.ts(f"parent:{bot.state.cutover_id}")
    [upload] = bot.posted("files.completeUploadExternal")
    assert upload["thread_ts"] == parent
    names = sorted(call["filename"] for call in bot.posted("files.getUploadURLExternal"))
    assert names == ["report.html", "report.md", "timeline.png"]
    assert all(len(data) > 0 for data in bot.client.uploaded.values())
    permalink = history(bot, "report.generated")[0].event.permalink
    assert permalink.endswith("/p" + parent.replace(".", ""))
    t_plus_24h = [p for p in bot.posted() if "Post-cutover report for the maintenance" in p["text"]]
    assert t_plus_24h and all(permalink in p["text"] for p in t_plus_24h)
    assert not [p for p in t_plus_24h if "`/cutover report`" in p["text"]]  # not the fallback sentence
    summaries = [p for p in bot.posted() if "Post-cutover report, executive summary" in p["text"]]
    assert [p["channel"] for p in summaries] == [MGMT] and permalink in summaries[0]["text"]  # their DM


def test_the_report_is_written_once(a_day_after):
    bot = a_day_after
    bot.advance(minutes=3 * 24 * 60)
    assert len(history(bot, "report.requested")) == 1
    assert len(bot.posted("files.completeUploadExternal")) == 1


def test_a_report_asked_for_in_slack_in_the_console_is_uploaded_not_reported_as_failed(plan, roster):
    bot = CutoverSlackBot(plan, roster, START)
    bot.to_started()
    bot.through_phase0()
    answer = bot.run("report", as_user=IC)
    assert "report" in answer["text"].lower()
    assert not [t for t in bot.thread() if "could not" in t.lower() or "failed" in t.lower()]
    assert len(bot.posted("files.completeUploadExternal")) == 1
    assert history(bot, "report.generated")[0].event.permalink.startswith("https://")


# --- the rule itself, on states -------------------------------------------------------------------


def ended_state(status: Status, ended: datetime, requested: datetime | None = None) -> CutoverState:
    state = CutoverState(
        cutover_id="c-1", status=status, window_start=START, started_at=START, ended_at=ended
    )
    state.report_requested_at = requested
    return state


@pytest.mark.parametrize("status", [Status.SUCCEEDED, Status.ROLLED_BACK])
def test_the_report_falls_due_before_the_first_communication_after_completion(plan, status):
    ended = START + timedelta(minutes=50)
    due = report_due(ended_state(status, ended), plan)
    assert due is not None and due.at == ended + timedelta(hours=24) - timedelta(minutes=15)


def test_no_report_by_itself_while_running_after_an_abort_or_once_asked_for_after_its_moment(plan):
    ended = START + timedelta(minutes=50)
    moment = ended + timedelta(hours=24) - REPORT_LEAD
    assert report_due(CutoverState(cutover_id="c-1", status=Status.EXECUTING, started_at=START), plan) is None
    assert report_due(ended_state(Status.ABORTED, ended), plan) is None
    assert report_due(ended_state(Status.SUCCEEDED, ended, requested=moment), plan) is None
    earlier = report_due(ended_state(Status.SUCCEEDED, ended, requested=ended + timedelta(hours=1)), plan)
    assert earlier is not None and earlier.at == moment  # a report asked for at the end still gets its update


def test_management_is_on_the_example_roster(roster):
    assert [m.slack_id for m in roster.members_of("management")] == [MGMT]
