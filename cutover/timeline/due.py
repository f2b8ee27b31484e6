"""The unit of time-driven work: an action, its idempotency key and the moment it fell due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class DueAction:
    """One time-driven action: its idempotency key, when it fell due, what it is."""

    key: str
    at: datetime
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def late_by(self, t: datetime) -> timedelta:
        """How late it is when fired at t."""
        return max(timedelta(), t - self.at)
