"""What the go/no-go checklist reads from the log: the window, confirmations, communications, rehearsals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cutover.integrity.state import Confirmation


@dataclass(frozen=True)
class LogFacts:
    """What the log says: the window, confirmations, communications and rehearsals."""

    now: datetime
    window_start: datetime | None
    confirmations: list[Confirmation] = field(default_factory=list)
    comms_sent: frozenset[str] = frozenset()
    comms_acknowledged: frozenset[str] = frozenset()
    rehearsals: list[dict[str, Any]] = field(default_factory=list)  # {"procedure","outcome","at": datetime}
    rehearsal: str | None = (
        None  # the scenario when this cutover is itself a rehearsal (simulated infrastructure)
    )
