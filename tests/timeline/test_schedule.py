"""A whole cutover on the virtual clock: every communication once at its time, the status cadence,
lead reminders, degradation banners, 48 monitoring checkpoints, and a restart that repeats nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from cutover.timeline.comms import due_at
from storage import outbox as store
from tests.timeline.conftest import EARLY, WINDOW
from tests.timeline.harness import TimedBot, events, run_to_success


def schedule_and_start(bot: TimedBot) -> None:
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    bot.until(WINDOW - timedelta(minutes=30))
    bot.go_with_override("rehearsed")
    bot.until(WINDOW)
    bot.ok("start", ic)


def test_full_schedule_from_t_minus_7d_to_t_plus_72h(timed):
    schedule_and_start(timed)
    run_to_success(timed, step_minutes=1.5)
    state = timed.state
    assert state.status == "succeeded"
    started, ended = state.started_at, state.ended_at
    assert ended - started > timedelta(minutes=10), "long enough for the T+10m update"
    timed.until(ended + timedelta(hours=72, minutes=1))

    sent = events(timed, "comm.sent")
    counts = Counter(r.event.comm_id for r in sent)
    messages = timed.plan.communications.messages
    one_off = [m.id for m in messages if not m.every and m.anchor not in ("rollback", "rollback_failed")]
    assert sorted(k for k in counts if "#" not in k) == sorted(one_off) and set(counts.values()) == {1}
    updates = (ended - started) // timedelta(minutes=15)  # the business update every 15 minutes while it runs
    assert sorted(k for k in counts if "#" in k) == [f"T+15m#{n}" for n in range(1, updates + 1)]
    state = timed.state
    for r in sent:
        message_id, _, slot = r.event.comm_id.partition("#")
        message = next(m for m in messages if m.id == message_id)
        due = due_at(state, message) + (int(slot) - 1) * message.every if slot else due_at(state, message)
        assert r.at == due, f"{r.event.comm_id} sent at {r.at}, due {due}"
        assert r.event.late_by_s == 0
    assert (
        next(r for r in events(timed, "comm.cancelled") if r.event.comm_id == "L3").event.code
        == "no_emergency"
    )
    assert (
        next(r for r in events(timed, "comm.cancelled") if r.event.comm_id == "L2").event.code
        == "no_rollback"
    )
    assert next(r for r in sent if r.event.comm_id == "T-7d").at == WINDOW - timedelta(days=7)
    assert next(r for r in sent if r.event.comm_id == "T+24h").at == ended + timedelta(hours=24)

    statuses = events(timed, "status.posted")
    slots = (ended - started) // timedelta(minutes=2)
    assert len(statuses) == slots
    assert [r.at for r in statuses] == [started + timedelta(minutes=2 * k) for k in range(1, slots + 1)]
    assert len(timed.posts("CUTOVER STATUS UPDATE")) == slots

    checkpoints = events(timed, "monitoring.checkpoint")
    assert Counter(r.event.window for r in checkpoints) == {"critical": 16, "active": 20, "passive": 12}
    assert checkpoints[0].at == ended and checkpoints[-1].at == ended + timedelta(hours=68)

    levels = [r.event.level for r in events(timed, "degradation.changed")]
    assert levels == [1, 0]
    assert timed.posts('Banner: "Maintenance in progress, some features limited"')

    # the messages themselves: each channel post and each email exactly once
    business = timed.posts("Planned System Maintenance", channel="#nxop-business")
    assert len(business) == 1 and "Flight Planning (flows 2, 8, 20)" in business[0]["text"]
    assert business[0]["blocks"][-1]["elements"][0]["action_id"] == "comm_ack"
    assert len(timed.emails("Planned System Maintenance")) == 2  # business units and partners
    reminder = [
        m
        for m in timed.emails("Reminder: System Maintenance Tomorrow")
        if m["Destination"]["ToAddresses"] == ["nxop-business-units@example.com"]
    ]
    assert "Faxes to crew scheduling" in reminder[0]["Message"]["Body"]["Text"]["Data"]
    delivered = [r for r in store.rows(engine=timed.services.ledger.db) if r.method == "chat.postMessage"]
    assert {r.status for r in delivered} == {"sent"}
    assert len(timed.slack.calls_to("chat.postMessage")) == len(delivered), (
        "each queued message reached Slack once"
    )


def test_nothing_is_due_before_a_window_and_abort_cancels_every_pending_message(timed):
    ic = timed.person("incident_commander")
    timed.ok("schedule 2026-12-02 02:00", ic)
    timed.until(WINDOW - timedelta(days=7, minutes=1))
    assert events(timed, "comm.sent") == []
    timed.until(WINDOW - timedelta(days=3))
    assert [r.event.comm_id for r in events(timed, "comm.sent")] == ["T-7d", "P-7d"]
    timed.ok("abort the airline asked us to wait", ic)
    timed.until(WINDOW + timedelta(days=4))
    assert [r.event.comm_id for r in events(timed, "comm.sent")] == ["T-7d", "P-7d"]
    cancelled = {r.event.comm_id for r in events(timed, "comm.cancelled")}
    # repeated updates have nothing pending to cancel: they only run while the cutover is under way
    once = {m.id for m in timed.plan.communications.messages if not m.every}
    assert cancelled == once - {"T-7d", "P-7d"}
    assert timed.posts("System Maintenance Starting in 1 Hour") == []
    assert "cancelled (the cutover was aborted)" in timed.ok("comms", ic)


def test_rescheduling_moves_every_pending_message_and_sends_none_twice(timed):
    ic = timed.person("incident_commander")
    timed.ok("schedule 2026-12-02 02:00", ic)
    timed.until(WINDOW - timedelta(days=5))
    timed.ok("schedule 2026-12-09 02:00", ic)
    later = WINDOW + timedelta(days=7)
    timed.until(later - timedelta(hours=2))
    sent = {r.event.comm_id: r.at for r in events(timed, "comm.sent")}
    assert sent["T-7d"] == WINDOW - timedelta(days=7), "sent once, for the first window, not again"
    assert sent["T-24h"] == later - timedelta(hours=24)
    assert "T-1h" not in sent
    timed.until(later - timedelta(hours=1))
    assert {r.event.comm_id: r.at for r in events(timed, "comm.sent")}["T-1h"] == later - timedelta(hours=1)
    assert len(timed.posts("Planned System Maintenance", channel="#nxop-business")) == 1


def test_a_restart_mid_cutover_keeps_the_cadence_and_repeats_nothing(plan, roster, slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    first = TimedBot(plan, roster, url, EARLY, slack)
    schedule_and_start(first)
    first.advance(minutes=5)
    assert len(events(first, "status.posted")) == 2
    posts_before = len(slack.calls)
    # kill -9: a new process over the same database file, same wall time
    second = TimedBot(plan, roster, url, first.clock, slack)
    second.advance(minutes=1)
    assert [r.at for r in events(second, "status.posted")][-1] == WINDOW + timedelta(minutes=6)
    assert len(events(second, "status.posted")) == 3
    assert Counter(r.event.comm_id for r in events(second, "comm.sent")) == Counter(
        {"T-7d": 1, "P-7d": 1, "T-24h": 1, "P-24h": 1, "T-1h": 1, "T+0": 1}
    )
    new = [c["args"].get("text", "") for c in slack.calls[posts_before:] if c["method"] == "chat.postMessage"]
    assert not any("Maintenance in progress" in t for t in new), "T+0 not sent again"


def test_what_fell_due_while_the_bot_was_down_is_done_once_late_and_says_so(plan, roster, slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    first = TimedBot(plan, roster, url, EARLY, slack)
    schedule_and_start(first)
    first.advance(minutes=3)
    first.clock.set(WINDOW + timedelta(minutes=13))  # the bot was down from 02:03 to 02:13
    second = TimedBot(plan, roster, url, first.clock, slack)
    second.advance(seconds=1)
    statuses = events(second, "status.posted")
    assert [r.event.key.rsplit(":", 1)[-1] for r in statuses] == ["1", "6"], (
        "the missed slots are not replayed"
    )
    late_status = second.posts("CUTOVER STATUS UPDATE")[-1]["text"]
    assert "due 02:12:00 UTC, sent 1m late" in late_status
    [update] = [r for r in events(second, "comm.sent") if r.event.comm_id == "T+10m"]
    assert update.event.late_by_s == 180
    assert "sent 3m late because the bot was unavailable" in second.posts("revised ETA")[0]["text"]


def test_lead_reminders_go_to_silent_leads_of_concurrent_phases(timed):
    schedule_and_start(timed)
    timed.through_phase0()
    net = timed.person("network_engineer")
    timed.advance(minutes=1)
    timed.ok("step start 1A.1", timed.person(timed.plan.steps_by_id["1A.1"].raci.R[0]))
    timed.advance(minutes=1, seconds=30)
    reminders = events(timed, "lead.reminded")
    assert [r.event.phase for r in reminders] == ["1B"], "1A reported within the cadence; 1B did not"
    lead_1b = timed.plan.phases_by_id["1B"].lead
    assert reminders[0].event.to == [m.slack_id for m in timed.roster.on_call_for(lead_1b)]
    assert timed.posts("Phase 1B lead: report status")
    assert net  # the roster has the roles the phases need


def test_an_email_failure_is_said_in_the_thread_retried_and_blocks_nothing(timed):
    ic = timed.person("incident_commander")
    timed.ses.failures = 3
    timed.ok("schedule 2026-12-02 02:00", ic)
    timed.until(WINDOW - timedelta(days=7))
    assert timed.posts("Planned System Maintenance", channel="#nxop-business"), "Slack did not wait for SES"
    notices = timed.posts("could not be sent yet", channel="#nxop-cutover")
    assert notices and "Throttling" in notices[0]["text"] and notices[0]["thread_ts"]
    for _ in range(3):  # the virtual clock delivers at each step: retries at +1 s, +2 s, +4 s fall in these
        timed.advance(minutes=1)
    assert len(timed.emails("Planned System Maintenance")) == 2, "both emails went after the retries"
    assert len(timed.posts("could not be sent yet")) == len(notices), "said once per email"
