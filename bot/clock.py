"""Clocks: the real one (the only wall-clock read in the project) and a virtual one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, UTC."""

    def now(self) -> datetime:
        """The wall clock, now."""
        return datetime.now(UTC)


class FakeClock:
    """A virtual clock that moves only when told: console scripts, rehearsals and tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs an aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The virtual time."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by delta and return the new time."""
        if delta < timedelta():
            raise ValueError("the virtual clock never goes backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump forward to a moment (never backwards)."""
        with self._lock:
            if moment < self._now:
                raise ValueError("the virtual clock never goes backwards")
            self._now = moment
