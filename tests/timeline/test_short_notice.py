"""Scheduling: a window less than a day ahead says plainly what is too late; windows years ahead are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.timeline.conftest import EARLY
from tests.timeline.harness import events


def test_a_window_90_minutes_ahead_sends_no_late_reminder_and_says_so(timed):
    ic = timed.person("incident_commander")
    window = EARLY + timedelta(minutes=90)
    reply = timed.ok(f"schedule {window:%Y-%m-%d %H:%M}", ic)
    assert (
        "Short notice: the window is 1h30m away, so T-7d, T-24h, P-7d, P-24h are past due and will not be sent"
        in reply
    )
    timed.advance(minutes=5)
    assert not timed.posts("Reminder: System Maintenance Tomorrow") and not timed.posts(
        "Planned System Maintenance"
    )
    cancelled = {r.event.comm_id: r.event.reason for r in events(timed, "comm.cancelled")}
    assert cancelled["T-7d"].startswith("short notice") and cancelled["T-24h"].startswith("short notice")
    timed.until(window - timedelta(hours=1))
    sent = {r.event.comm_id: r for r in events(timed, "comm.sent")}
    assert "T-24h" not in sent and sent["T-1h"].at == window - timedelta(hours=1), (
        "what is still ahead goes on time"
    )
    assert "T-7d: cancelled" in timed.ok("comms", ic) or "short notice" in timed.ok("comms", ic)


def test_a_window_days_ahead_is_not_short_notice(timed):
    reply = timed.ok(
        f"schedule {EARLY + timedelta(days=8):%Y-%m-%d %H:%M}", timed.person("incident_commander")
    )
    assert "Short notice" not in reply


@pytest.mark.parametrize(
    "when, says",
    [
        ("9999-12-31 23:59", "more than 366 days ahead"),
        ("9999-12-31 23:59 America/Chicago", "is not a date and time"),
        ("2027-11-22 00:01", "more than 366 days ahead"),
        ("0001-01-01 00:00 Pacific/Kiritimati", "is in the past"),
        ("2026-13-40 25:61", "is not a date and time"),
    ],
)
def test_a_window_too_far_ahead_or_off_the_calendar_is_refused(timed, when, says):
    refusal = timed.refused(f"schedule {when}", timed.person("incident_commander"))
    assert says in str(refusal)
    assert timed.state is None, "nothing was scheduled"


def test_a_window_a_year_ahead_is_accepted(timed):
    timed.ok(f"schedule {EARLY + timedelta(days=365):%Y-%m-%d %H:%M}", timed.person("incident_commander"))
