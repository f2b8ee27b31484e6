"""The status page as a pure view: colour and level, services, ETA from the plan and the progress, contact."""

from __future__ import annotations

from datetime import timedelta

from cutover.status.eta import critical_path, estimated_completion
from cutover.status.page import status_view
from tests.conftest import T0
from tests.support.bot import CommandBot

WINDOW = "2026-12-02 02:00"


def test_critical_path_is_the_longest_phase_of_each_stage_added_up(plan):
    # Phase 0: 3 x 5m; stage 1: 1A/1B 7m targets; stage 2: 10m; Phase 3: 19m target
    assert critical_path(plan) == timedelta(minutes=51)


def test_no_cutover_is_green_with_the_runbook_contact(plan):
    view = status_view(None, plan, T0)
    assert (view.colour, view.level, view.phase) == ("green", 0, "idle")
    assert view.banner == "All services operating normally"
    assert (view.hotline, view.channel, view.url) == (
        "1-800-NXOP-OPS",
        "#nxop-cutover",
        "https://status.nxop.com",
    )
    assert view.eta is None and view.history == []


def test_a_scheduled_window_announces_its_estimated_completion(plan, roster):
    bot = CommandBot(plan, roster, "sqlite://", T0)
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    view = status_view(bot.state, plan, T0)
    assert (view.colour, view.phase) == ("green", "scheduled")
    assert view.eta == bot.state.window_start + timedelta(minutes=51)


def test_during_the_cutover_the_page_is_yellow_with_level_1_services_and_a_moving_eta(plan, roster):
    bot = CommandBot(plan, roster, "sqlite://", T0)
    bot.to_started(WINDOW)
    started = bot.state.started_at
    view = status_view(bot.state, plan, started)
    assert (view.colour, view.level, view.phase) == ("yellow", 1, "in_progress")
    assert "Flight Planning: Read-only mode" in view.affected
    assert "Reference Data: Read-only access" in view.available
    assert view.banner == "Maintenance in progress, some features limited"
    assert view.eta == started + timedelta(minutes=51)
    bot.through_phase0()  # three 1-minute steps instead of 3 x 5m: the estimate comes forward
    now = bot.clock.now()
    assert estimated_completion(bot.state, plan, now) == now + timedelta(minutes=36)


def test_a_step_overrunning_its_timeout_pushes_the_eta_out(plan, roster):
    bot = CommandBot(plan, roster, "sqlite://", T0)
    bot.to_started(WINDOW)
    bot.ok("step start 0.1", bot.person("operations"))
    bot.advance(minutes=20)  # 0.1's timeout is 5m: it is 15 minutes late
    now = bot.clock.now()
    # 0.2 and 0.3 still ahead (10m), then stages 1-3 (36m); nothing left of 0.1's own timeout
    assert estimated_completion(bot.state, plan, now) == now + timedelta(minutes=46)


def test_a_rollback_is_red_level_2_and_its_eta_is_the_procedure_remaining(plan, roster):
    bot = CommandBot(plan, roster, "sqlite://", T0)
    bot.to_started(WINDOW)
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person(plan.steps_by_id["1A.1"].raci.R[0]))  # something is switched
    bot.ok("rollback R2 connections failing", bot.person("incident_commander"))
    now = bot.clock.now()
    view = status_view(bot.state, plan, now)
    assert (view.colour, view.level, view.phase) == ("red", 2, "rolling_back")
    assert view.banner == "Extended maintenance, please wait"
    assert view.eta == now + plan.rollbacks_by_id["R2"].rto
    assert view.affected == ["All services in read-only or queued mode", "No new operations accepted"]
