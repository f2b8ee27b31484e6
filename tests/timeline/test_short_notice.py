"""Scheduling: a window less than a day ahead says plainly what is too late; windows years ahead are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.timeline.conftest import EARLY


def test_a_window_days_ahead_is_not_short_notice(timed):
    reply = timed.ok(
        f"schedule {EARLY + timedelta(days=8):%Y-%m-%d %H:%M}", timed.person("incident_commander")
    )
    assert "Short notice" not in reply


@pytest.mark.parametrize(
    "when, says",
    [
        ("9999-12-31 23:59", "window_too_far"),
        ("9999-12-31 23:59 America/Chicago", "is not a date and time"),
        ("2027-11-22 00:01", "window_too_far"),
        ("0001-01-01 00:00 Pacific/Kiritimati", "window_in_past"),
        ("2026-13-40 25:61", "is not a date and time"),
    ],
)
def test_a_window_too_far_ahead_or_off_the_calendar_is_refused(timed, when, says):
    refusal = timed.refused(f"schedule {when}", timed.person("incident_commander"))
    assert says in str(refusal)
    assert timed.state is None, "nothing was scheduled"


def test_a_window_a_year_ahead_is_accepted(timed):
    timed.ok(f"schedule {EARLY + timedelta(days=365):%Y-%m-%d %H:%M}", timed.person("incident_commander"))
