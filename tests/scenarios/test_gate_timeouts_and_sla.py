"""Gate timeouts escalate to the IC, then to Management; the 60-minute SLA is watched (seed 2.5, 4.2, 5.2, 5.4)."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.console import IC, MGMT, THROUGH_GATE1, play, steps_script


def _phase1_done_gate2_waiting(plan, roster):
    return play(plan, roster, THROUGH_GATE1 + steps_script(plan, roster, "1A", "1B"))


def test_a_late_gate_pings_the_ic_then_management(plan, roster):
    played = _phase1_done_gate2_waiting(plan, roster)
    opened = played.state.stage_opened[1]
    played = play(plan, roster, "+5m\n", session=played.session)
    pings = [r for r in played.events("escalation.sent") if r.event.trigger == "gate_timeout"]
    first = [r for r in pings if r.event.ref == "2"]
    assert first[0].at == opened + timedelta(minutes=7) and first[0].event.to == [IC]
    assert first[1].event.attempt == 2 and set(first[1].event.to) == {IC, MGMT}, "then Management"
    assert first[1].event.roles == ["incident_commander", "management"]


def test_the_sla_warns_at_45_minutes_and_announces_the_breach_at_60(plan, roster):
    played = _phase1_done_gate2_waiting(plan, roster)
    started = played.state.started_at
    to_44m = int((started + timedelta(minutes=44) - played.session.clock.now()).total_seconds())
    played = play(plan, roster, f"@U01AAAA /cutover ack all\n+{to_44m}s\n", session=played.session)
    assert played.events("sla.warning") == []
    played = play(plan, roster, "+1m\n", session=played.session)
    [warning] = played.events("sla.warning")
    assert warning.at == started + timedelta(minutes=45)
    [warned] = [p for p in played.posts(":hourglass_flowing_sand: *SLA warning:*") if p.get("thread_ts")]
    assert "15m left" in warned["text"] and warned.get("reply_broadcast")
    dm_targets = {  # a DM is a post to the user ID (the app's Messages tab)
        x["args"]["channel"]
        for x in played.lines
        if x["type"] == "api" and x["method"] == "chat.postMessage" and x["args"]["channel"].startswith("U")
    }
    assert {IC, MGMT} <= dm_targets
    played = play(plan, roster, "+15m\n", session=played.session)
    [breach] = played.events("sla.breached")
    assert breach.at == started + timedelta(minutes=60) and breach.event.level == 2
    announced = played.posts(":rotating_light: *SLA breached:*")
    channels = {p["channel"] for p in announced}
    assert {"#nxop-business", "#nxop-ops-center"} <= channels, "every audience hears it"
    assert "Extended Maintenance" in announced[0]["text"]
    emails = [x for x in played.lines if x["type"] == "api" and x["method"] == "ses.send_email"]
    subjects = {e["args"]["subject"] for e in emails}
    assert any("maintenance past 1h00m — service level 2" in subject for subject in subjects), subjects
    levels = [r.event.level for r in played.events("degradation.changed")]
    assert levels[-1] == 2


def test_a_breach_during_a_rollback_brings_level_3_and_the_manual_workarounds(plan, roster):
    played = _phase1_done_gate2_waiting(plan, roster)
    played = play(
        plan, roster, "@U01AAAA /cutover rollback R2 MSK clients flapping\n+1h\n", session=played.session
    )
    [breach] = played.events("sla.breached")
    assert breach.event.level == 3
    assert [r.event.level for r in played.events("degradation.changed")][-1] == 3
    [thread] = [p for p in played.posts(":rotating_light: *SLA breached:*") if p.get("thread_ts")]
    assert "Manual workaround procedures are now in force" in thread["text"]
    assert "Rollback R2 is under way" in thread["text"]
