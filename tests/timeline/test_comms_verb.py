"""`/cutover comms`: what was sent, what is pending, who has not acknowledged; acknowledging is an event."""

from __future__ import annotations

from datetime import timedelta

from bot.slack.replies import refusal_words
from cutover.timeline.comms import unacknowledged
from tests.timeline.conftest import WINDOW
from tests.timeline.harness import events


def test_comms_lists_sent_and_pending_and_the_missing_acknowledgements(timed):
    ic = timed.person("incident_commander")
    timed.ok("schedule 2026-12-02 02:00", ic)
    timed.until(WINDOW - timedelta(days=2))
    out = timed.ok("comms", ic)
    assert "`T-7d` Planned System Maintenance" in out and "not acknowledged by business_units" in out
    assert "`T-24h`" in out and "pending, due 2026-12-01 02:00 UTC" in out
    assert "`T+0`" in out and "waiting for the start" in out
    assert unacknowledged(timed.state, timed.plan) == [("T-7d", "business_units")]
    stranger = "U05XYZ"  # a business-unit reader, not on the roster: refused, nothing recorded
    assert "not on the cutover roster" in refusal_words(
        timed.refused("comms ack T-7d business_units", stranger)
    )
    assert "not on the cutover roster" in refusal_words(timed.refused("comms ack T-7d", stranger))
    assert unacknowledged(timed.state, timed.plan) == [("T-7d", "business_units")]
    engineer = timed.person("engineering")  # on the roster, but not a role of the business units
    assert "do not include it" in refusal_words(timed.refused("comms ack T-7d business_units", engineer))
    someone = timed.person("management")  # records the business units' acknowledgement
    assert "Acknowledged `T-7d`" in timed.ok("comms ack T-7d business_units", someone)
    assert events(timed, "comm.acknowledged")[0].actor == someone
    assert "T-7d: acknowledged" not in timed.ok("comms", ic)
    assert unacknowledged(timed.state, timed.plan) == []


def test_comms_ack_refuses_what_is_not_sent_or_unknown(timed):
    ic = timed.person("incident_commander")
    timed.ok("schedule 2026-12-02 02:00", ic)
    assert "has not been sent" in refusal_words(timed.refused("comms ack T-24h", ic))
    assert "did you mean T-7d" in refusal_words(timed.refused("comms ack T-7", ic))
    assert "not 'pilots'" in refusal_words(timed.refused("comms ack T-7d pilots", ic))
    assert "no open escalation pinged you" in refusal_words(timed.refused("ack", ic))
