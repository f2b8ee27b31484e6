"""Escalations: to the role's on-call member, then to every member, repeating until acknowledged;
the default rollback recommendation; critical alarms; and one code path ending it all."""

from __future__ import annotations

from datetime import timedelta

from cutover.integrity import events as ie
from cutover.probes import Probes, Reading
from cutover.roster import Member, Roster
from storage.eventlog import Pending
from tests.timeline.conftest import EARLY, WINDOW
from tests.timeline.harness import TimedBot, events
from tests.timeline.test_schedule import schedule_and_start

BACKUP_IC = Member(slack_id="U09ZZZZ", name="Ola Berg", email="ola.berg@example.com", on_call=False)


def with_backup_ic(roster: Roster) -> Roster:
    roles = {role: list(members) for role, members in roster.roles.items()}
    roles["incident_commander"].append(BACKUP_IC)
    return Roster(roles)


def dms_to(bot: TimedBot, user: str, contains: str = "") -> list[dict]:
    return [p for p in bot.posts(contains) if p["channel"] == user]  # posted to the user ID: their DM


class Alarms:
    def __init__(self, names=()):
        self.names = list(names)

    def critical_alarms(self) -> Reading:
        return Reading(ok=not self.names, value=list(self.names), source="fake")


def test_step_timeout_pings_on_call_then_everyone_until_acknowledged(plan, roster, slack, tmp_path):
    bot = TimedBot(plan, with_backup_ic(roster), f"sqlite:///{tmp_path / 'c.db'}", EARLY, slack)
    schedule_and_start(bot)
    ops = bot.person("operations")
    bot.ok("step start 0.1", ops)
    timeout = plan.steps_by_id["0.1"].timeout
    bot.advance(minutes=timeout.total_seconds() / 60 - 0.5)
    assert events(bot, "escalation.sent") == []
    bot.advance(minutes=0.5)
    [first] = events(bot, "escalation.sent")
    assert first.at == WINDOW + timeout and first.event.trigger == "step_timeout"
    assert first.event.to == ["U01AAAA"], "the on-call Incident Commander first"
    assert dms_to(bot, "U01AAAA", "passed its timeout") and not dms_to(bot, "U09ZZZZ")
    thread = bot.posts("Escalation", channel="#nxop-cutover")[-1]
    assert "<@U01AAAA>" in thread["text"] and thread["thread_ts"] == bot.services.outbox.ts(
        f"parent:{bot.state.cutover_id}"
    )
    assert thread["blocks"][-1]["elements"][0]["action_id"] == "escalation_ack"
    bot.advance(minutes=2)
    second = events(bot, "escalation.sent")[-1]
    assert second.event.attempt == 2 and set(second.event.to) == {"U01AAAA", "U09ZZZZ"}, "then every member"
    assert dms_to(bot, "U09ZZZZ", "reminder 1")
    bot.advance(minutes=5)
    assert [r.event.attempt for r in events(bot, "escalation.sent")] == [1, 2, 3]
    out = bot.ok(f"ack {first.event.key}", "U09ZZZZ")
    assert "Acknowledged" in out
    bot.advance(minutes=30)
    assert [r.event.attempt for r in events(bot, "escalation.sent")] == [1, 2, 3], "no ping after the ack"
    assert events(bot, "escalation.acknowledged")[0].actor == "U09ZZZZ"


def test_snooze_is_an_event_and_delays_the_next_ping(timed):
    schedule_and_start(timed)
    timed.ok("step start 0.1", timed.person("operations"))
    timed.advance(minutes=timed.plan.steps_by_id["0.1"].timeout.total_seconds() / 60)
    ic = timed.person("incident_commander")
    assert "Snoozed for 10m" in timed.ok("ack for 10m", ic)
    timed.advance(minutes=9)
    assert len(events(timed, "escalation.sent")) == 1
    timed.advance(minutes=1)
    assert len(events(timed, "escalation.sent")) == 2
    assert events(timed, "escalation.snoozed")[0].actor == ic


def test_failure_asks_management_then_the_runbook_orders_the_full_rollback_after_two_minutes(timed):
    schedule_and_start(timed)
    timed.through_phase0()
    timed.ok("step start 1A.1", timed.person("operations"))
    timed.advance(minutes=1)
    timed.ok("step fail 1A.1 routing control stuck", timed.person("operations"))
    failed_at = timed.clock.now()
    timed.advance(seconds=1)
    [ask] = [r for r in events(timed, "escalation.sent") if r.event.trigger == "rollback_decision"]
    assert ask.event.trigger == "rollback_decision" and ask.at == failed_at
    assert set(ask.event.to) == {timed.person("management"), timed.person("incident_commander")}
    timed.advance(minutes=2)
    [ordered] = events(timed, "rollback.ordered")
    assert ordered.at == failed_at + timedelta(minutes=2) and ordered.event.procedure == "R2"
    assert ordered.event.rule == "decision_timeout" and ordered.event.recommended == "R1"
    post = timed.posts("ordered by the runbook's rule")[0]
    assert post.get("reply_broadcast") and "RTO 19 min" in post["text"]
    timed.ok("rollback R1 only MSK moved", timed.person("incident_commander"))
    count = len(events(timed, "escalation.sent"))
    timed.advance(minutes=30)
    assert all(
        r.event.trigger not in ("rollback_decision", "decision_timeout")
        for r in events(timed, "escalation.sent")[count:]
    ), "the decision was made: no more asking"


def test_validation_failure_goes_to_the_engineering_lead(timed):
    schedule_and_start(timed)
    state = timed.state
    failed = ie.ValidationCompleted(
        passed=False, items=[{"source": "msk", "name": "prod.flight.events.v1", "result": "fail"}]
    )
    timed.services.ledger.record(state.cutover_id, [Pending("U01DDDD", timed.clock.now(), failed)], state.seq)
    timed.advance(seconds=1)
    [ping] = [r for r in events(timed, "escalation.sent") if r.event.trigger == "validation_failure"]
    assert ping.event.to == [m.slack_id for m in timed.roster.on_call_for("engineering_lead")]
    assert timed.posts("Validation failed: prod.flight.events.v1")


def test_a_critical_alarm_escalates_to_all_stakeholders(timed):
    alarms = Alarms()
    timed.services.probes = Probes(alarms=alarms)
    schedule_and_start(timed)
    timed.advance(minutes=1)
    alarms.names = ["nxop-api-5xx-critical"]
    timed.advance(minutes=2)
    [alarm] = events(timed, "alarm.critical")
    assert alarm.event.alarms == ["nxop-api-5xx-critical"]
    ping = [r for r in events(timed, "escalation.sent") if r.event.trigger == "critical_alarm"][0]
    assert ping.at == alarm.at == WINDOW + timedelta(minutes=1)
    assert set(ping.event.to) == {m.slack_id for m in timed.roster.everyone()}
    assert timed.posts("Critical alarm(s) in ALARM")


def test_the_acknowledge_button_text_maps_to_the_commands():
    from bot.slack.listeners.acks import command_for

    assert command_for("comm_ack", "c1|T-7d|business_units") == "comms ack T-7d business_units"
    assert command_for("escalation_ack", "c1|esc:step_timeout:0.1#1:c1") == "ack esc:step_timeout:0.1#1:c1"


def test_reaching_a_terminal_state_ends_every_reminder_cadence_and_escalation(timed):
    schedule_and_start(timed)
    timed.through_phase0()
    timed.ok("step start 1A.1", timed.person(timed.plan.steps_by_id["1A.1"].raci.R[0]))
    timed.advance(minutes=20)  # 1A.1 overdue, 1B lead silent: pings, reminders, statuses all running
    assert events(timed, "escalation.sent") and events(timed, "lead.reminded")
    timed.ok("abort the window closed", timed.person("incident_commander"))
    count = len(events(timed))
    posts = len(timed.slack.calls)
    timed.advance(hours=80)
    late = [r.event.kind for r in events(timed)[count:]]
    # the end is announced (level 0, the unsent comms cancelled, the status page's final update), then nothing
    assert set(late) <= {"degradation.changed", "comm.cancelled", "status_page.published"}, late
    assert late.count("status_page.published") == 1
    assert [r.event.level for r in events(timed, "degradation.changed")][-1] == 0
    new_posts = [
        c["args"].get("text", "") for c in timed.slack.calls[posts:] if c["method"] == "chat.postMessage"
    ]
    assert any("Service level 1 → 0" in t for t in new_posts)
    assert not [t for t in new_posts if "STATUS UPDATE" in t or "report status" in t or "Escalation" in t]
