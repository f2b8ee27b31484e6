"""The go/no-go checklist (seed 1.4), evaluated purely from gathered facts.

Each item is pass, fail, unknown or not required here (n/a), with a reason and the data behind it. Items fed by probes
(readiness, critical alarms, dependency health endpoints) are measured in the background; items
read from the log (window, holidays, standby, comms, rehearsals, confirmations) are recomputed
whenever needed. GO needs every item passing, or an override asked by the Incident Commander and
approved by Management that covers every item not passing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cutover.errors import InvalidTransition
from cutover.integrity.checklist_items import (
    CLEAR,
    STANDBY,
    UNKNOWN,
    Item,
    alarms_item,
    comms_items,
    confirmed_item,
    dependency_health_item,
    readiness_item,
    rehearsal_items,
    standby_items,
    window_items,
)
from cutover.integrity.facts import LogFacts
from cutover.integrity.state import IntegrityState
from cutover.plan.model import Runbook
from cutover.probes import Reading
from cutover.roster import Roster

MEASURE_MAX_AGE = timedelta(hours=1)  # twice the 30-minute re-evaluation cadence from T-24h


@dataclass(frozen=True)
class ProbeReadings:
    """What the probes said; None for a probe that is not configured."""

    readiness: Reading | None = None
    critical_alarms: Reading | None = None
    dependencies: dict[str, Reading | None] = field(default_factory=dict)  # by dependency key


def confirmable(plan: Runbook) -> dict[str, tuple[str, ...]]:
    """Items confirmed by hand, and the roles that own each confirmation (as the runbook configures them)."""
    business = plan.business
    commander = tuple(plan.authority.go_nogo)
    owners: dict[str, tuple[str, ...]] = {c.key: tuple(c.by) or commander for c in plan.go_nogo.confirmations}
    if business is None:
        return owners
    if business.required_roles:
        owners[STANDBY] = tuple(business.required_roles)
    for dep in business.external_dependencies:
        if not dep.health_url:
            owners[dep.key] = tuple(dep.confirmed_by) or commander
    return owners


def probe_items(plan: Runbook, readings: ProbeReadings) -> list[Item]:
    """The items measured by probes the runbook asks for: readiness score, critical alarms, health endpoints."""
    items = []
    if plan.go_nogo.readiness_threshold is not None:
        items.append(readiness_item(readings.readiness, plan.go_nogo.readiness_threshold))
    if plan.go_nogo.critical_alarms:
        items.append(alarms_item(readings.critical_alarms))
    for dep in plan.business.external_dependencies if plan.business else []:
        if dep.health_url:
            items.append(
                dependency_health_item(dep.key, dep.name, dep.health_url, readings.dependencies.get(dep.key))
            )
    return items


def probe_keys(plan: Runbook) -> set[str]:
    """The keys of the items that probes measure."""
    return {item.key for item in probe_items(plan, ProbeReadings())}


def log_items(plan: Runbook, roster: Roster, facts: LogFacts) -> list[Item]:
    """The items read from the log and the runbook."""
    items = window_items(plan, facts)
    items += standby_items(plan, roster, facts)
    items += comms_items(plan, facts)
    items += rehearsal_items(plan, facts)
    for item in plan.go_nogo.confirmations:
        items.append(confirmed_item(item.key, item.title, item.category, facts))
    for dep in plan.business.external_dependencies if plan.business else []:
        if not dep.health_url:
            items.append(confirmed_item(dep.key, "", "external", facts, name=dep.name))
    return items


ORDER = ("technical", "business", "operational", "external")


def checklist(plan: Runbook, probed: list[Item], logged: list[Item]) -> list[Item]:
    """The whole checklist, grouped by category in the seed's order."""
    every = probed + logged
    return sorted(every, key=lambda item: ORDER.index(item.category))


def current_checklist(
    plan: Runbook, roster: Roster, integrity: IntegrityState, facts: LogFacts
) -> list[Item]:
    """The last measured probe items (unknown once older than MEASURE_MAX_AGE) with fresh log items: what GO is judged on."""
    keys = probe_keys(plan)
    measured = integrity.checklist_at
    stale = measured is not None and facts.now - measured > MEASURE_MAX_AGE
    last = {} if stale else {i["key"]: Item(**i) for i in integrity.checklist if i["key"] in keys}
    why, when = (
        ("measured_too_long_ago", {"measured": measured.isoformat()})
        if stale and measured is not None
        else ("not_measured", {})
    )
    probed = [
        last.get(item.key) or Item(item.key, item.title, item.category, UNKNOWN, why, {**item.data, **when})
        for item in probe_items(plan, ProbeReadings())
    ]
    return checklist(plan, probed, log_items(plan, roster, facts))


def not_passing(items: list[Item]) -> list[Item]:
    """The items that block GO (fail or unknown; an item not required in this cutover does not)."""
    return [item for item in items if item.result not in CLEAR]


def check_go(items: list[Item], integrity: IntegrityState, plan: Runbook) -> None:
    """Raise InvalidTransition unless every item passes or an approved override covers those that do not."""
    blocking = not_passing(items)
    if not blocking:
        return
    override = integrity.override
    if (
        override is not None
        and integrity.override_approved
        and {i.key for i in blocking} <= set(override.items)
    ):
        return
    awaiting = override is not None and not integrity.override_approved
    raise InvalidTransition.because(
        "go_override_unapproved" if awaiting else "go_items_not_passing",
        items=[i.as_dict() for i in blocking],
        commander=plan.duty_titles["go_nogo"],
        approvers=plan.duty_titles["approve_override"],
    )


def changes(before: list[dict[str, Any]], after: list[Item]) -> list[dict[str, Any]]:
    """The items whose result changed since the previous evaluation (new items count as changed)."""
    old = {i["key"]: i["result"] for i in before}
    return [
        {**i.as_dict(), "before": old.get(i.key), "after": i.result}
        for i in after
        if old.get(i.key) != i.result
    ]
