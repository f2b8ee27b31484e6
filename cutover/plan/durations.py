"""Durations as people write them in runbooks ("30s", "3.5m", "1h", "7d") and as the bot prints them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse "30s", "3.5m", "2h", "-7d" (or a number of seconds) into a timedelta."""
    if isinstance(text, timedelta):
        return text
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        return timedelta(seconds=text)
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30s, 3.5m, 2h, 7d)")
    seconds = float(match.group(2)) * _UNITS[match.group(3)]
    return timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


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
