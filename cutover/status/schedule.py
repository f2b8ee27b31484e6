"""When the status page is published: at every change of phase or level, and every `update_every` while under way.

Seed 5.3: "updates every 5 minutes during cutover"; 5.2: "all levels: status page updated in real
time". Each publication is one `status_page.published` event under the key
`statuspage:<cutover>:<n>`, so firing twice publishes once; a finished cutover is published once
more (its final state) and then no more.
"""

from __future__ import annotations

from datetime import datetime

from cutover.plan.model import Runbook
from cutover.progress import degradation_level
from cutover.state import UNDERWAY, CutoverState
from cutover.status.page import phase_of
from cutover.timeline.due import DueAction


def _changed_at(state: CutoverState, t: datetime) -> datetime:
    """The moment the current phase began, when the state knows it (else t)."""
    moments = [state.started_at, state.rollback.ordered_at if state.rollback else None, state.ended_at]
    known = [m for m in moments if m is not None and m <= t]
    return max(known, default=t)


def publication_key(cutover_id: str, n: int) -> str:
    """The idempotency key of the n-th publication of a cutover's status."""
    return f"statuspage:{cutover_id}:{n}"


def candidates(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """The next publication of this cutover's status page (due now on a change, else on the cadence)."""
    page = plan.status_page
    if page is None or state.window_start is None:
        return []
    phase, level = phase_of(state), degradation_level(state)
    last = state.status_page.last
    key = publication_key(state.cutover_id, len(state.status_page.updates) + 1)
    data = {"phase": phase, "level": level}
    if last is None or (last.phase, last.level) != (phase, level):
        at = _changed_at(state, t)
        at = max(at, last.at) if last else at
        return [DueAction(key, min(at, t), "status_page", data)]
    if state.status in UNDERWAY:
        return [DueAction(key, last.at + page.update_every, "status_page", data)]
    return []
