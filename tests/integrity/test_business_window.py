"""Peak flight operations, holidays and blackout dates in the airline's time zone (America/Chicago)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cutover.integrity.business_window import blackouts_on, holidays_on, peak_clashes

TEN_MIN = timedelta(minutes=10)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "clash"),
    [
        # An ordinary winter day (CST, UTC-6): morning peak 06:00-09:00 = 12:00-15:00 UTC.
        ("2026-12-02 11:50", None),  # 05:50-06:00 local ends exactly at the peak's start
        ("2026-12-02 11:51", "Morning"),  # 05:51-06:01 local: one minute inside
        ("2026-12-02 14:59", "Morning"),  # 08:59 local: the window's start is still in the peak
        ("2026-12-02 15:00", None),  # 09:00 local: the peak has ended
        ("2026-12-02 22:55", "Evening"),  # 16:55-17:05 local
        ("2026-12-03 02:00", None),  # 20:00 local: evening peak over
        ("2026-12-03 01:55", "Evening"),  # 19:55 local
        # 2026-03-08, clocks spring forward at 02:00: the morning peak starts at 11:00 UTC (CDT, UTC-5).
        ("2026-03-08 10:50", None),
        ("2026-03-08 10:51", "Morning"),
        ("2026-03-07 10:51", None),  # the day before (CST) the same UTC time is 04:51 local
        ("2026-03-07 11:51", "Morning"),
        ("2026-03-08 07:55", None),  # 01:55 CST -> 03:05 CDT: the lost hour is no peak
        # 2026-11-01, clocks fall back at 02:00: the morning peak starts at 12:00 UTC (CST, UTC-6).
        ("2026-11-01 11:50", None),
        ("2026-11-01 11:51", "Morning"),
        ("2026-10-31 10:51", "Morning"),  # the day before (CDT) 10:51 UTC is 05:51 local
        ("2026-11-01 06:55", None),  # 01:55 CDT, inside the repeated hour
        # The evening peak the night before the fall-back ends at 20:00 CDT = 01:00 UTC.
        ("2026-11-01 00:55", "Evening"),
        ("2026-11-01 01:00", None),
    ],
)
def test_the_whole_window_must_avoid_the_peaks_including_dst_days(plan, start, clash):
    clashes = peak_clashes(utc(start), TEN_MIN, plan.business)
    if clash is None:
        assert clashes == []
    else:
        assert [c.name.split()[0] for c in clashes] == [clash]


def test_a_long_window_across_midnight_is_checked_on_both_local_days(plan):
    clashes = peak_clashes(utc("2026-12-02 03:00"), timedelta(hours=10), plan.business)  # 21:00-07:00 local
    assert [c.local_start.strftime("%m-%d %H:%M") for c in clashes] == ["12-02 06:00"]


def test_holidays_are_found_on_the_local_date_not_the_utc_date(plan):
    # 2026-12-26 03:00 UTC is still Christmas Day (21:00 CST on 12-25).
    assert holidays_on(utc("2026-12-26 03:00"), TEN_MIN, plan.business) == {
        date(2026, 12, 25): "Christmas Day"
    }
    assert holidays_on(utc("2026-12-26 08:00"), TEN_MIN, plan.business) == {}
    assert "Thanksgiving" in holidays_on(utc("2026-11-26 08:00"), TEN_MIN, plan.business)[date(2026, 11, 26)]


def test_blackout_dates_from_the_runbook(plan):
    business = plan.business.model_copy(update={"blackout_dates": [date(2026, 12, 18)]})
    assert blackouts_on(utc("2026-12-18 08:00"), TEN_MIN, business) == [date(2026, 12, 18)]
    assert blackouts_on(utc("2026-12-19 08:00"), TEN_MIN, business) == []
