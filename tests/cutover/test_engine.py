"""Every lifecycle transition of the engine, through the same command path Slack uses."""

from __future__ import annotations

from bot.slack.replies import refusal_words
from cutover.state import GateStatus, Status, StepStatus
from tests.test_helpers import run_to_gate5


def test_schedule_creates_a_cutover_in_scheduled_state(bot):
    bot.ok("schedule 2026-12-02 02:00", bot.person("incident_commander"))
    assert bot.state.status == Status.SCHEDULED
    assert bot.state.window_start.isoformat() == "2026-12-02T02:00:00+00:00"


def test_schedule_in_a_time_zone_converts_to_utc(bot):
    out = bot.ok("schedule 2026-12-01 20:00 America/Chicago", bot.person("incident_commander"))
    assert bot.state.window_start.isoformat() == "2026-12-02T02:00:00+00:00"
    assert "2026-12-02 02:00 UTC" in out


def test_schedule_in_the_past_is_refused(bot):
    err = bot.refused("schedule 2026-11-30 02:00", bot.person("incident_commander"))
    assert "in the past" in refusal_words(err)
    assert bot.state is None


def test_reschedule_moves_the_window_and_voids_the_go_decision(bot):
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    bot.go_with_override("all green")
    assert bot.state.status == Status.GO
    out = bot.ok("schedule 2026-12-03 02:00", ic)
    assert "Window moved from 2026-12-02 02:00 UTC" in out
    assert bot.state.status == Status.SCHEDULED and bot.state.decision is None
    assert len(bot.services.ledger.ids()) == 1


def test_no_go_holds_the_cutover_and_start_is_refused(bot):
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    bot.ok("go-nogo no-go Flightkeys unavailable", ic)
    assert bot.state.status == Status.NO_GO
    assert "NO-GO" in refusal_words(bot.refused("start", ic))


def test_start_needs_go(bot):
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    err = bot.refused("start", ic)
    assert "records GO first" in refusal_words(err)
    assert bot.state.status == Status.SCHEDULED


def test_start_opens_phase_0(bot):
    bot.to_started()
    assert bot.state.status == Status.EXECUTING
    assert 0 in bot.state.stage_opened and 1 not in bot.state.stage_opened


def test_steps_go_in_order_within_a_phase(bot):
    bot.to_started()
    ops = bot.person("operations")
    err = bot.refused("step start 0.2", ops)
    assert "0.2 comes after 0.1" in refusal_words(err)
    bot.do_step("0.1")
    bot.ok("step start 0.2", ops)


def test_done_needs_a_started_step(bot):
    bot.to_started()
    err = bot.refused("step done 0.1", bot.person("operations"))
    assert "has not been started" in refusal_words(err)


def test_next_phase_waits_for_its_gate(bot):
    bot.to_started()
    for sid in ("0.1", "0.2", "0.3"):
        bot.do_step(sid)
    assert bot.state.gate(1).status == GateStatus.OPEN
    err = bot.refused("step start 1A.1", bot.person("operations"))
    assert "waits for Gate 1" in refusal_words(err)
    bot.ok("gate approve 1", bot.person("incident_commander"))
    bot.ok("step start 1A.1", bot.person("operations"))


def test_gate_cannot_be_approved_before_it_opens(bot):
    bot.to_started()
    bot.do_step("0.1")
    err = bot.refused("gate approve 1", bot.person("incident_commander"))
    assert "not open yet: 0.2, 0.3 not done" in refusal_words(err)


def test_concurrent_phases_run_side_by_side_and_phase_2_waits_for_both_gates(bot):
    bot.to_started()
    bot.through_phase0()
    ic = bot.person("incident_commander")
    bot.ok("step start 1A.1", bot.person("operations"))
    bot.ok("step start 1B.1", bot.person("database_admin"))
    for sid in ("1A.1", "1A.2", "1A.3", "1A.4"):
        if sid != "1A.1":
            bot.ok(f"step start {sid}", bot.person("operations"))
        bot.ok(f"step done {sid}", bot.person("operations"))
    bot.ok("gate approve 2", ic)
    assert 2 not in bot.state.stage_opened
    for sid in ("1B.1", "1B.2", "1B.3", "1B.4"):
        if sid != "1B.1":
            bot.ok(f"step start {sid}", bot.person("database_admin"))
        bot.ok(f"step done {sid}", bot.person("database_admin"))
    out = bot.ok("gate approve 3", ic)
    assert "Phase 2A and Phase 2B open now" in out
    assert 2 in bot.state.stage_opened


def test_gate_5_needs_both_incident_commander_and_management(bot):
    run_to_gate5(bot)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    out = bot.ok("gate approve 5", ic)
    assert "still needs another approver" in out
    assert bot.state.status == Status.VALIDATING
    err = bot.refused("gate approve 5", ic)
    assert "different person as Management" in refusal_words(err)  # the runbook's title, not the key
    out = bot.ok("gate approve 5 all green", mgmt)
    assert "the cutover succeeded" in out
    assert bot.state.status == Status.SUCCEEDED
    roles = {a.role for a in bot.state.gate(5).approvals}
    assert roles == {"incident_commander", "management"}


def test_approved_gate_cannot_be_approved_again(bot):
    bot.to_started()
    for sid in ("0.1", "0.2", "0.3"):
        bot.do_step(sid)
    ic = bot.person("incident_commander")
    bot.ok("gate approve 1", ic)
    assert "already approved" in refusal_words(bot.refused("gate approve 1", ic))


def test_failed_step_calls_for_a_decision_and_can_be_retried(bot):
    bot.to_started()
    bot.through_phase0()
    ops = bot.person("operations")
    bot.ok("step start 1A.1", ops)
    out = bot.ok("step fail 1A.1 ARC API timeout", ops)
    assert "rollback decision is needed" in out
    assert bot.state.step("1A.1").status == StepStatus.FAILED
    assert bot.state.decision_needed_since is not None
    bot.ok("step start 1A.1 retry after fixing credentials", ops)
    assert bot.state.step("1A.1").attempts == 2
    assert bot.state.decision_needed_since is None


def test_fail_needs_a_reason(bot):
    bot.to_started()
    bot.ok("step start 0.1", bot.person("operations"))
    err = bot.refused("step fail 0.1", bot.person("operations"))
    assert "missing what failed" in refusal_words(err)


def test_rejected_gate_calls_for_a_decision_once_something_is_switched(bot):
    bot.to_started()
    for sid in ("0.1", "0.2", "0.3"):
        bot.do_step(sid)
    ic = bot.person("incident_commander")
    bot.ok("gate reject 1 readiness at 82%", ic)
    assert bot.state.gate(1).status == GateStatus.REJECTED
    assert bot.state.decision_needed_since is None, "Gate 1: abort or wait for green, no rollback"
    assert "reason" in refusal_words(bot.refused("gate reject 1", ic))
    bot.ok("gate approve 1 readiness back at 95%", ic)
    for sid in bot.plan.phases_by_id["1A"].steps:
        bot.do_step(sid.id)
    bot.ok("gate reject 2 clients flapping", ic)
    assert bot.state.decision_needed_since is not None


def test_rollback_runs_its_steps_in_order_and_completes(bot):
    bot.to_started()
    bot.through_phase0()
    ops, ic = bot.person("operations"), bot.person("incident_commander")
    bot.ok("step start 1A.1", ops)
    bot.ok("step fail 1A.1 ARC toggle rejected", ops)
    out = bot.ok("rollback R1 1A failed, 1B unchanged", ic)
    assert "R1" in out and "R1.1" in out
    assert bot.state.status == Status.ROLLING_BACK
    assert "rollback R1 is under way" in refusal_words(bot.refused("step start 1A.2", ops))
    assert "comes after R1.1" in refusal_words(bot.refused("step start R1.2", ops))
    for sid in ("R1.1", "R1.2"):
        bot.do_step(sid, minutes=0.5)
    bot.ok("step start R1.3", ops)
    out = bot.ok("step done R1.3", ops)
    assert "post-rollback checklist" in out and bot.state.status == Status.ROLLING_BACK
    bot.confirm_rollback_checklist()
    assert bot.state.status == Status.ROLLED_BACK
    assert bot.state.terminal


def test_rollback_step_of_another_procedure_is_refused(bot):
    bot.to_started()
    bot.through_phase0()
    bot.ok("rollback R1 drill", bot.person("incident_commander"))
    err = bot.refused("step start R2.1", bot.person("network_engineer"))
    assert "not part of R1" in refusal_words(err)


def test_failed_rollback_step_means_rollback_failed_and_retry_resumes(bot):
    bot.to_started()
    bot.through_phase0()
    ops = bot.person("operations")
    bot.ok("rollback R1 drill", bot.person("incident_commander"))
    bot.ok("step start R1.1", ops)
    bot.ok("step fail R1.1 ARC API unreachable", ops)
    assert bot.state.status == Status.ROLLBACK_FAILED
    assert not bot.state.terminal
    bot.ok("step start R1.1", ops)
    assert bot.state.status == Status.ROLLING_BACK


def test_a_running_rollback_can_be_replaced_by_a_bigger_one(bot):
    bot.to_started()
    bot.through_phase0()
    ic = bot.person("incident_commander")
    bot.ok("rollback R1 first try", ic)
    assert "already in progress" in refusal_words(bot.refused("rollback R1 again", ic))
    bot.ok("rollback R2 DocumentDB already on West", ic)
    assert bot.state.rollback.procedure == "R2"
    assert [r.procedure for r in bot.state.rollbacks] == ["R1", "R2"]


def test_rollback_before_start_is_refused(bot):
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    assert "during the cutover" in refusal_words(bot.refused("rollback R2 why", ic))


def test_pause_stops_step_starts_and_gate_decisions_until_resume(bot):
    bot.to_started()
    ic, ops = bot.person("incident_commander"), bot.person("operations")
    bot.ok("pause waiting for the network team", ic)
    assert bot.state.paused
    assert "paused" in refusal_words(bot.refused("step start 0.1", ops))
    assert "already paused" in refusal_words(bot.refused("pause again", ic))
    bot.advance(minutes=3)
    out = bot.ok("resume", ic)
    assert "after 3m" in out
    assert not bot.state.paused
    bot.ok("step start 0.1", ops)
    assert "not paused" in refusal_words(bot.refused("resume", ic))


def test_ordering_a_rollback_while_paused_resumes(bot):
    bot.to_started()
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person("operations"))
    ic = bot.person("incident_commander")
    bot.ok("pause hold", ic)
    bot.ok("rollback R2 give up", ic)
    assert not bot.state.paused and bot.state.status == Status.ROLLING_BACK


def test_abort_is_terminal_and_nothing_runs_after(bot):
    bot.to_started()
    ic = bot.person("incident_commander")
    bot.ok("abort staffing gap", ic)
    assert bot.state.status == Status.ABORTED and bot.state.aborted_reason == "staffing gap"
    assert "aborted" in refusal_words(bot.refused("abort again", ic))
    assert "aborted" in refusal_words(bot.refused("step start 0.1", bot.person("operations")))


def test_a_new_schedule_after_an_ended_cutover_plans_a_new_one(bot):
    bot.to_started()
    ic = bot.person("incident_commander")
    bot.ok("abort staffing gap", ic)
    bot.ok("schedule 2026-12-09 02:00", ic)
    assert len(bot.services.ledger.ids()) == 2
    assert bot.state.status == Status.SCHEDULED


def test_notes_are_recorded_even_after_the_end(bot):
    bot.to_started()
    ic = bot.person("incident_commander")
    bot.ok("note issue DNS TTL was 300s, not 60s", bot.person("network_engineer"))
    bot.ok("abort staffing gap", ic)
    bot.ok("note lesson confirm staffing at T-24h", bot.person("operations"))
    assert [(n.category, n.text) for n in bot.state.notes] == [
        ("issue", "DNS TTL was 300s, not 60s"),
        ("lesson", "confirm staffing at T-24h"),
    ]


def test_commands_before_any_cutover_say_how_to_begin(bot):
    err = bot.refused("start", bot.person("incident_commander"))
    assert "/cutover schedule" in refusal_words(err)
    assert "There is no cutover yet" in bot.ok("status", bot.person("operations"))


def test_refused_commands_change_nothing(bot):
    bot.to_started()
    seq = bot.state.seq
    bot.refused("step done 0.1", bot.person("operations"))
    bot.refused("gate approve 1", bot.person("incident_commander"))
    bot.refused("step start 9.9", bot.person("operations"))
    assert bot.state.seq == seq


def test_small_runbook_proves_the_engine_is_not_tied_to_nxop(tmp_path):
    from pathlib import Path

    from cutover.plan.model import load_runbook
    from cutover.roster import load_roster
    from tests.conftest import T0
    from tests.support.bot import CommandBot

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    plan = load_runbook(fixtures / "small-runbook.yaml")
    roster = load_roster(fixtures / "small-roster.yaml", plan)
    small = CommandBot(plan, roster, "sqlite://", T0)
    lead = roster.members_of(plan.authority.start[0])[0].slack_id
    small.ok("schedule 2026-12-02 02:00", lead)
    small.go_with_override(f"{plan.id} ready")
    small.ok("start", lead)
    for stage in plan.stages:
        for phase in stage:
            for step in phase.steps:
                small.do_step(step.id)
        for gate in plan.gates_after_stage(stage[0].stage):
            for role in gate.approvers:
                approver = next(
                    m.slack_id
                    for m in roster.members_of(role)
                    if all(a.actor != m.slack_id for a in small.state.gate(gate.number).approvals)
                )
                small.ok(f"gate approve {gate.number}", approver)
    assert small.state.status == Status.SUCCEEDED
