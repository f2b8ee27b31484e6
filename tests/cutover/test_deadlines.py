"""Step and gate timeouts, and pauses stopping the escalation clocks."""

from __future__ import annotations

from datetime import timedelta

from cutover.deadlines import next_deadline, overdue


def test_a_step_past_its_timeout_is_overdue(bot):
    bot.to_started()
    bot.ok("step start 0.1", bot.person("operations"))
    started = bot.clock.now()
    bot.advance(minutes=4, seconds=59)
    assert overdue(bot.state, bot.plan, bot.clock.now()) == []
    assert next_deadline(bot.state, bot.plan, bot.clock.now()) == started + timedelta(minutes=5)
    bot.advance(seconds=2)
    late = overdue(bot.state, bot.plan, bot.clock.now())
    assert [(d.kind, d.ref) for d in late] == [("step", "0.1")]
    assert late[0].late_by(bot.clock.now()) == timedelta(seconds=1)
    assert ":alarm_clock: Step 0.1 is overdue by 1s (timeout 5m)" in bot.ok(
        "status", bot.person("operations")
    )


def test_gates_2_and_3_time_out_7_minutes_after_phase_1_opens(bot):
    bot.to_started()
    bot.through_phase0()
    opened = bot.state.stage_opened[1]
    bot.advance(minutes=7)
    late = overdue(bot.state, bot.plan, bot.clock.now())
    assert {(d.kind, d.ref) for d in late} == {("gate", "2"), ("gate", "3")}
    assert all(d.due == opened + timedelta(minutes=7) for d in late)


def test_gate_1_has_no_timeout(bot):
    bot.to_started()
    for sid in ("0.1", "0.2", "0.3"):
        bot.do_step(sid)
    bot.advance(minutes=600)
    assert overdue(bot.state, bot.plan, bot.clock.now()) == []


def test_an_approved_gate_is_never_overdue(bot):
    bot.to_started()
    bot.through_phase0()
    for sid in ("1A.1", "1A.2", "1A.3", "1A.4"):
        bot.do_step(sid, minutes=0.5)
    bot.ok("gate approve 2", bot.person("incident_commander"))
    bot.advance(minutes=10)
    assert [d.ref for d in overdue(bot.state, bot.plan, bot.clock.now())] == ["3"]


def test_pause_stops_the_clocks_and_resume_shifts_deadlines(bot):
    bot.to_started()
    ic = bot.person("incident_commander")
    bot.ok("step start 0.1", bot.person("operations"))
    bot.advance(minutes=2)
    bot.ok("pause bridge call", ic)
    bot.advance(minutes=30)
    assert overdue(bot.state, bot.plan, bot.clock.now()) == []
    assert next_deadline(bot.state, bot.plan, bot.clock.now()) is None
    bot.ok("resume", ic)
    bot.advance(minutes=2, seconds=59)
    assert overdue(bot.state, bot.plan, bot.clock.now()) == []
    bot.advance(seconds=2)
    assert [d.ref for d in overdue(bot.state, bot.plan, bot.clock.now())] == ["0.1"]


def test_nothing_is_overdue_once_the_cutover_ended(bot):
    bot.to_started()
    bot.ok("step start 0.1", bot.person("operations"))
    bot.ok("abort no staffing", bot.person("incident_commander"))
    bot.advance(minutes=60)
    assert overdue(bot.state, bot.plan, bot.clock.now()) == []


def test_a_plan_step_abandoned_by_a_rollback_stops_being_late(bot):
    bot.to_started()
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person("operations"))
    bot.ok("step start 1B.1", bot.person("database_admin"))
    bot.ok("step fail 1B.1 FXIP write rejected", bot.person("database_admin"))
    bot.ok("rollback R2 1B failed", bot.person("incident_commander"))
    bot.ok("step start R2.1", bot.person("network_engineer"))
    bot.advance(minutes=5, seconds=1)
    assert [d.ref for d in overdue(bot.state, bot.plan, bot.clock.now())] == ["R2.1"]
