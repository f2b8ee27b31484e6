"""Durations as people write them in runbooks ("30s", "3.5m", "1h", "7d") and as the bot prints them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

from cutover.errors import Problem, ProblemValue

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LONGEST = timedelta(days=366)  # a runbook's times are minutes to days; a year bounds the arithmetic
SHORTEST_CADENCE = timedelta(seconds=30)  # a repeating message more often than this floods Slack
_PATTERN = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse "30s", "3.5m", "2h", "-7d" (or a number of seconds) into a timedelta."""
    if isinstance(text, timedelta):
        return text
    if isinstance(text, bool):
        raise ProblemValue(Problem("", "not_a_duration", {"value": text}))
    if isinstance(text, int | float):
        return _bounded(float(text))
    match = _PATTERN.match(str(text)[:64])
    if not match:
        raise ProblemValue(Problem("", "not_a_duration", {"value": str(text)[:40], "hint": True}))
    seconds = float(match.group(2)) * _UNITS[match.group(3)]
    return _bounded(-seconds if match.group(1) == "-" else seconds)


def _bounded(seconds: float) -> timedelta:
    """A number of seconds as a timedelta, refused when it is not finite or longer than a year."""
    if seconds != seconds or abs(seconds) > LONGEST.total_seconds():  # NaN, infinity, too large
        raise ProblemValue(Problem("", "duration_too_long", {"longest": LONGEST}))
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta | None) -> str:
    """Render a duration the way the runbook and status messages show it: 1h05m, 4m32s, 30s."""
    if delta is None:
        return "-"
    total = int(round(delta.total_seconds()))
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m{seconds:02d}s" if seconds else f"{sign}{minutes}m"
    return f"{sign}{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


def _positive(delta: timedelta) -> timedelta:
    if delta <= timedelta():
        raise ProblemValue(Problem("", "not_positive", {"value": delta}))
    return delta


def _not_negative(delta: timedelta) -> timedelta:
    if delta < timedelta():
        raise ProblemValue(Problem("", "negative", {"value": delta}))
    return delta


def _cadence(delta: timedelta) -> timedelta:
    if delta < SHORTEST_CADENCE:
        raise ProblemValue(Problem("", "cadence_too_short", {"least": SHORTEST_CADENCE, "value": delta}))
    return delta


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]  # timeouts, targets, RTOs
NonNegativeDuration = Annotated[Duration, AfterValidator(_not_negative)]  # 0s: a parallel step, "at once"
Cadence = Annotated[Duration, AfterValidator(_cadence)]  # how often something repeats: at least 30 s
