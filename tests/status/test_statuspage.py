"""Atlassian Statuspage: the client against a strict local fake, and a cutover mirrored on it."""

from __future__ import annotations

import pytest

from bot.status.statuspage import StatuspageClient, StatuspageError
from cutover.plan.sections import StatuspageTarget
from tests.conftest import T0
from tests.status.conftest import WINDOW, StatusBot
from tests.support.fake_statuspage import FakeStatuspage

KEY, PAGE, COMPONENT = "sp-key-0123456789", "pg123", "cmp456"


@pytest.fixture
def statuspage():
    with FakeStatuspage(KEY, PAGE, [COMPONENT]) as fake:
        yield fake


def test_a_wrong_api_key_is_refused_with_the_apis_message(statuspage):
    client = StatuspageClient("wrong", statuspage.url)
    with pytest.raises(StatuspageError) as refused:
        client.set_component(PAGE, COMPONENT, "under_maintenance")
    assert refused.value.status == 401 and refused.value.message == "Could not authenticate"
    assert statuspage.components[COMPONENT] == "operational"


def test_unknown_ids_and_statuses_are_refused_as_the_api_does(statuspage):
    client = StatuspageClient(KEY, statuspage.url)
    with pytest.raises(StatuspageError) as unknown:
        client.set_component(PAGE, "nope", "operational")
    assert unknown.value.status == 404
    with pytest.raises(StatuspageError) as bad:
        client.set_component(PAGE, COMPONENT, "down")
    assert bad.value.status == 422 and bad.value.message == "Status is not included in the list"
    with pytest.raises(StatuspageError) as no_schedule:
        client.create_incident(PAGE, {"name": "x", "status": "scheduled"})
    assert no_schedule.value.status == 422 and "Scheduled for" in no_schedule.value.message


def test_an_unreachable_api_is_an_error_not_a_traceback():
    client = StatuspageClient(KEY, "http://127.0.0.1:9/v1", timeout_s=2)
    with pytest.raises(StatuspageError) as unreachable:
        client.set_component(PAGE, COMPONENT, "operational")
    assert unreachable.value.status == 0 and "unreachable" in str(unreachable.value)


def mirrored(plan, roster, statuspage) -> StatusBot:
    target = StatuspageTarget(page_id=PAGE, component_id=COMPONENT)
    page = plan.status_page.model_copy(update={"statuspage": target})
    bot = StatusBot(plan.model_copy(update={"status_page": page}), roster, "sqlite://", T0)
    bot.services.status_targets.statuspage = StatuspageClient(KEY, statuspage.url)
    return bot


def test_a_cutover_is_one_maintenance_with_updates_and_the_component_follows_the_level(
    plan, roster, statuspage
):
    bot = mirrored(plan, roster, statuspage)
    bot.ok(f"schedule {WINDOW}", bot.person("incident_commander"))
    bot.advance(minutes=1)
    (incident,) = statuspage.incidents.values()
    assert incident["status"] == "scheduled" and incident["scheduled_for"].startswith("2026-12-02T02:00")
    assert incident["component_ids"] == [COMPONENT]
    bot.go_with_override()
    bot.start_now()
    bot.advance(seconds=1)
    assert statuspage.components[COMPONENT] == "under_maintenance"
    bot.advance(minutes=1)
    bot.through_phase0()
    bot.ok("step start 1A.1", bot.person(plan.steps_by_id["1A.1"].raci.R[0]))  # something is switched
    bot.ok("rollback R2 connections failing", bot.person("incident_commander"))
    bot.advance(seconds=1)
    assert statuspage.components[COMPONENT] == "partial_outage"
    for step in plan.rollbacks_by_id["R2"].steps:
        if not step.parallel:
            bot.do_step(step.id)
    bot.confirm_rollback_checklist()
    bot.advance(minutes=1)
    assert bot.state.status.value == "rolled_back"
    assert statuspage.components[COMPONENT] == "operational"
    assert len(statuspage.incidents) == 1
    statuses = [u["status"] for u in incident["updates"]]
    assert statuses[0] == "scheduled" and "in_progress" in statuses and "verifying" in statuses
    assert statuses[-1] == "completed"
    assert "Estimated completion" in incident["updates"][1]["body"]
    assert all(p["targets"] == ["statuspage"] for _, p in bot.published())


def test_a_refused_update_is_recorded_and_the_next_publication_catches_up(plan, roster, statuspage):
    bot = mirrored(plan, roster, statuspage)
    bot.to_started(WINDOW)
    statuspage.fail_next(420)
    bot.advance(seconds=1)
    _, payload = bot.published()[-1]
    assert payload["failures"] == ["statuspage: HTTP 420: Rate limited"]
    bot.advance(minutes=5)
    _, payload = bot.published()[-1]
    assert payload["targets"] == ["statuspage"] and statuspage.components[COMPONENT] == "under_maintenance"
