"""Business rules for a cutover window: peak flight operations, holidays and blackout dates.

Pure: the whole window [start, start + duration) is converted to the airline's time zone and
compared with each day's peak windows, built in local time for each local date the window touches,
so that the days the clocks change (America/Chicago 2026-03-08 and 2026-11-01) are right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from cutover.plan.sections import Business


@dataclass(frozen=True)
class PeakClash:
    """A peak window the cutover window overlaps, in local and UTC time."""

    name: str
    local_start: datetime
    local_end: datetime


def local_dates(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """Every local date the window [start, end) touches."""
    first, last = start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _at(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if hours == 24:
        return datetime.combine(day + timedelta(days=1), time(0, minutes), tzinfo=zone)
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)


def peak_clashes(start: datetime, duration: timedelta, business: Business) -> list[PeakClash]:
    """The peak windows that [start, start + duration) overlaps (end excluded on both sides)."""
    zone = ZoneInfo(business.timezone)
    end = start + duration
    clashes = []
    for day in local_dates(start - timedelta(days=1), end, zone):
        for peak in business.peak_windows:
            peak_start, peak_end = _at(day, peak.start, zone), _at(day, peak.end, zone)
            if peak_end <= peak_start:  # a window across midnight
                peak_end += timedelta(days=1)
            if start < peak_end and end > peak_start:
                clashes.append(PeakClash(peak.name or f"{peak.start}-{peak.end}", peak_start, peak_end))
    return clashes


def holidays_on(start: datetime, duration: timedelta, business: Business) -> dict[date, str]:
    """The public holidays (runbook country/subdivision) on the local dates the window touches."""
    if not business.holidays_country:
        return {}
    zone = ZoneInfo(business.timezone)
    days = local_dates(start, start + duration, zone)
    calendar = holidays.country_holidays(
        business.holidays_country, subdiv=business.holidays_subdivision, years=sorted({d.year for d in days})
    )
    return {d: calendar[d] for d in days if d in calendar}


def blackouts_on(start: datetime, duration: timedelta, business: Business) -> list[date]:
    """The configured blackout dates the window touches (local dates)."""
    zone = ZoneInfo(business.timezone)
    return [d for d in local_dates(start, start + duration, zone) if d in set(business.blackout_dates)]
