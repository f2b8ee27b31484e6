"""The start tied to its window (seed 1.4 business readiness, judged at the actual start time).

`start_items(plan, window_start, now)` are checklist items about starting *now*: more than the
runbook's `business.start_tolerance` before the window, or inside a peak window. Each blocks the
start unless the go/no-go override (asked by the Incident Commander, approved by Management)
covers it, exactly as it covers GO. Items carry reason codes and data (`start_too_early`,
`start_overlaps_peak`); templates/gonogo/_words.j2 words them and their titles.
"""

from __future__ import annotations

from datetime import datetime

from cutover.errors import InvalidTransition
from cutover.integrity.business_window import peak_clashes
from cutover.integrity.checklist_items import FAIL, Item
from cutover.integrity.state import IntegrityState
from cutover.plan.model import Runbook

START_EARLY = "start_early"
START_IN_PEAK = "start_in_peak"


def start_items(plan: Runbook, window_start: datetime | None, now: datetime) -> list[Item]:
    """What is wrong with starting at `now` (empty: nothing)."""
    business = plan.business
    if business is None:
        return []
    items = []
    tolerance = business.start_tolerance
    if window_start is not None and tolerance is not None and window_start - now > tolerance:
        early = window_start - now
        data = {
            "early_s": early.total_seconds(),
            "tolerance_s": tolerance.total_seconds(),
            "window": window_start.isoformat(),
        }
        items.append(Item(START_EARLY, "", "business", FAIL, "start_too_early", data))
    clashes = peak_clashes(now, plan.sla.target_duration, business)
    if clashes:
        windows = [
            {
                "name": c.name,
                "start": f"{c.local_start:%H:%M}",
                "end": f"{c.local_end:%H:%M}",
                "zone": f"{c.local_start:%Z}",
            }
            for c in clashes
        ]
        data = {"clashes": [c.name for c in clashes], "windows": windows}
        items.append(Item(START_IN_PEAK, "", "business", FAIL, "start_overlaps_peak", data))
    return items


def check_start(items: list[Item], integrity: IntegrityState, plan: Runbook) -> None:
    """Raise InvalidTransition unless an approved override covers every start item."""
    if not items:
        return
    override = integrity.override
    if override is not None and integrity.override_approved and {i.key for i in items} <= set(override.items):
        return
    awaiting = (
        override is not None
        and not integrity.override_approved
        and {i.key for i in items} <= set(override.items)
    )
    raise InvalidTransition.because(
        "start_override_unapproved" if awaiting else "start_not_now",
        items=[i.as_dict() for i in items],
        commander=plan.duty_titles["go_nogo"],
        approvers=plan.duty_titles["approve_override"],
    )
