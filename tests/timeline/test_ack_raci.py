"""Acknowledgements follow the runbook: a stranger turns no go/no-go item green and silences no escalation."""

from __future__ import annotations

from datetime import timedelta

from cutover.timeline.comms import unacknowledged
from tests.timeline.conftest import WINDOW
from tests.timeline.harness import events
from tests.timeline.test_schedule import schedule_and_start

STRANGER = "U0STRANGE"


def test_a_stranger_acknowledges_no_communication(timed):
    ic = timed.person("incident_commander")
    timed.ok("schedule 2026-12-02 02:00", ic)
    timed.until(WINDOW - timedelta(hours=23))
    for text in ("comms ack T-7d", "comms ack T-24h", "comms ack T-7d business_units"):
        assert "not_on_roster" in str(timed.refused(text, STRANGER))
    assert events(timed, "comm.acknowledged") == []
    assert set(unacknowledged(timed.state, timed.plan)) == {
        ("T-7d", "business_units"),
        ("T-24h", "business_units"),
    }
    checklist = timed.ok("go-nogo", ic)
    assert "not acknowledged: T-7d, T-24h" in checklist


def test_a_stranger_silences_no_escalation_and_ack_all_takes_only_your_own(timed):
    schedule_and_start(timed)
    timed.through_phase0()
    ops = timed.person("operations")
    timed.ok("step start 1A.1", ops)
    timed.advance(minutes=1)
    timed.ok("step fail 1A.1 routing control stuck", ops)
    timed.advance(seconds=1)
    [ask] = [r for r in events(timed, "escalation.sent") if r.event.trigger == "rollback_decision"]
    assert "roster_only" in str(timed.refused("ack all", STRANGER))
    assert "not_on_roster" in str(timed.refused(f"ack {ask.event.key}", STRANGER))
    assert "roster_only" in str(timed.refused("ack for 10m", STRANGER))
    engineer = timed.person("engineering")  # on the roster, not Management nor the IC
    assert "roles_lack" in str(timed.refused(f"ack {ask.event.key}", engineer))
    assert "no open escalation pinged you" in str(timed.refused("ack all", engineer))
    assert events(timed, "escalation.acknowledged") == [] and events(timed, "escalation.snoozed") == []
    timed.advance(minutes=2)
    assert events(timed, "rollback.ordered"), "the decision escalation still ran its course"
    assert "Acknowledged" in timed.ok("ack all", timed.person("management"))
    assert {r.event.key for r in events(timed, "escalation.acknowledged")} >= {ask.event.key}
