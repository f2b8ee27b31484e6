"""Denials, rate-limited per person: a flood of refused commands is counted, never chained event by event.

Each person's first denial in a minute (`WINDOW`: fixed windows of the clock, the same on every
replica) is recorded as a `command.denied` event; the denials after it in the same window only count,
and the next recorded denial carries that count (`repeats`). So a stranger pressing a button 2,000
times writes a handful of events, takes no turn in the log from the Incident Commander's commands, and
the report still knows how many there were.

Across replicas the window is claimed in the database: the recorded denial's request key names the
person and the window (`key`), so when two replicas each see a first denial of the same person in the
same minute, one append wins and the other is AlreadyApplied; the loser keeps its count (`lost`) and
carries it on its next recorded denial. Each replica tries at most once per person and window: no
write per refused request beyond one a person-minute. Clicks past `ANSWERED` in a window get no
private answer either (each would be a Slack call; counted per replica); a slash command is always
answered, in its ack, which costs nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=60)
ANSWERED = 5  # private answers per person and window; the rest are counted silently
PEOPLE = 10_000  # people remembered at once (the oldest is forgotten first)


@dataclass(frozen=True)
class DenialVerdict:
    """What to do with one denial: record it (with the count it carries), and answer it or not."""

    record: bool
    repeats: int
    answer: bool
    key: str = ""  # the recorded denial's request key: this person's window, claimed once across replicas


class DenialLimiter:
    """Per person: one recorded denial per window, the others counted (thread-safe, in memory)."""

    def __init__(self, window: timedelta = WINDOW, answered: int = ANSWERED, people: int = PEOPLE) -> None:
        self.window, self.answered, self.people = window, answered, people
        self._lock = threading.Lock()
        # actor -> [window number, denials in this window, denials not recorded yet]
        self._seen: OrderedDict[str, list] = OrderedDict()

    def admit(self, actor: str, now: datetime) -> DenialVerdict:
        """Count one denial of this person at `now`; say whether to record it and whether to answer it."""
        window = int(now.timestamp() // self.window.total_seconds())
        with self._lock:
            seen = self._seen.get(actor)
            if seen is None or window != seen[0]:
                carried = seen[2] if seen else 0
                self._seen[actor] = [window, 1, 0]
                self._seen.move_to_end(actor)
                while len(self._seen) > self.people:
                    self._seen.popitem(last=False)
                return DenialVerdict(
                    record=True, repeats=carried, answer=True, key=f"denied:{actor}:{window}"
                )
            seen[1] += 1
            seen[2] += 1
            return DenialVerdict(record=False, repeats=0, answer=seen[1] <= self.answered)

    def lost(self, actor: str, verdict: DenialVerdict) -> None:
        """Another replica recorded this person's denial of the window: this one, and what it would have
        carried, are counted here again, for this replica's next recorded denial."""
        with self._lock:
            seen = self._seen.get(actor)
            if seen is not None:
                seen[2] += 1 + verdict.repeats

    def pending(self, actor: str) -> int:
        """Denials of this person counted but not recorded yet."""
        with self._lock:
            seen = self._seen.get(actor)
            return seen[2] if seen else 0
