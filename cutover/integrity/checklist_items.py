"""The go/no-go checklist lines, one function per factor (seed 1.4); `cutover/integrity/checklist.py` assembles them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cutover.integrity.business_window import blackouts_on, holidays_on, peak_clashes
from cutover.plan.model import Runbook
from cutover.probes import Reading
from cutover.roster import Roster

if TYPE_CHECKING:
    from cutover.integrity.checklist import LogFacts

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
FAILED_OUTCOMES = frozenset({"fail", "failed", "rollback_failed", "aborted", "error"})
STANDBY = "standby"


@dataclass(frozen=True)
class Item:
    """One checklist line."""

    key: str
    title: str
    category: str  # technical | business | operational | external
    result: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The item as the checklist.evaluated payload holds it."""
        return asdict(self)


# --- probe items ---------------------------------------------------------------------------------


def readiness_item(reading: Reading | None, threshold: float) -> Item:
    """Technical: the readiness score against the runbook's threshold."""
    title = f"Readiness score >= {threshold:.0%}"
    if reading is None:
        return Item("readiness", title, "technical", UNKNOWN, "no readiness probe configured")
    if reading.ok is None or reading.value is None:
        return Item(
            "readiness", title, "technical", UNKNOWN, f"{reading.source} unreachable: {reading.error}"
        )
    score = float(reading.value)
    data = {"score": score, "threshold": threshold, **reading.details}
    not_ok = reading.details.get("not_ok") or []
    if score >= threshold:
        return Item("readiness", title, "technical", PASS, f"{score:.0%} of readiness alarms OK", data)
    detail = f" (not OK: {', '.join(not_ok)})" if not_ok else ""
    return Item("readiness", title, "technical", FAIL, f"{score:.0%} of readiness alarms OK{detail}", data)


def alarms_item(reading: Reading | None) -> Item:
    """Technical: no critical alarm in ALARM."""
    title = "No critical alarm in ALARM"
    if reading is None:
        return Item("critical_alarms", title, "technical", UNKNOWN, "no alarm probe configured")
    if reading.ok is None:
        return Item(
            "critical_alarms", title, "technical", UNKNOWN, f"{reading.source} unreachable: {reading.error}"
        )
    names = list(reading.value or [])
    if names:
        return Item(
            "critical_alarms", title, "technical", FAIL, f"in ALARM: {', '.join(names)}", {"alarms": names}
        )
    return Item("critical_alarms", title, "technical", PASS, "no critical alarm", {"alarms": []})


def dependency_health_item(key: str, name: str, url: str, reading: Reading | None) -> Item:
    """External: a dependency's HTTP health endpoint."""
    title = f"{name} healthy"
    if reading is None:
        return Item(key, title, "external", UNKNOWN, "not measured yet", {"url": url})
    data = {"url": url, **reading.details}
    if reading.ok is None:
        return Item(key, title, "external", UNKNOWN, f"health endpoint unreachable: {reading.error}", data)
    if reading.ok:
        return Item(key, title, "external", PASS, f"health endpoint answered {reading.value}", data)
    return Item(
        key,
        title,
        "external",
        FAIL,
        f"health endpoint answered {reading.value} {reading.error}".strip(),
        data,
    )


# --- log items -----------------------------------------------------------------------------------


def window_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Business: the whole window outside peak hours, not on a holiday, not on a blackout date."""
    business, start = plan.business, facts.window_start
    titles = {
        "peak_window": "Window outside peak flight operations",
        "holiday": "Not on a public holiday",
        "blackout": "Not on a blackout date",
    }
    if business is None:
        return []
    if not business.holidays_country:
        del titles["holiday"]
    if start is None:
        return [Item(key, title, "business", UNKNOWN, "no window scheduled") for key, title in titles.items()]
    duration = plan.sla.target_duration
    clashes = peak_clashes(start, duration, business)
    if clashes:
        text = "; ".join(
            f"{c.name} {c.local_start:%H:%M}-{c.local_end:%H:%M} {c.local_start:%Z}" for c in clashes
        )
        peak = Item(
            "peak_window",
            titles["peak_window"],
            "business",
            FAIL,
            f"the window overlaps {text}",
            {"clashes": [c.name for c in clashes]},
        )
    else:
        peak = Item(
            "peak_window",
            titles["peak_window"],
            "business",
            PASS,
            f"{_local_span(start, duration, business.timezone)} avoids every peak window",
        )
    holiday = []
    if business.holidays_country:
        found = holidays_on(start, duration, business)
        holiday.append(
            Item(
                "holiday",
                titles["holiday"],
                "business",
                FAIL,
                "; ".join(f"{d.isoformat()} is {name}" for d, name in found.items()),
                {"holidays": {d.isoformat(): n for d, n in found.items()}},
            )
            if found
            else Item(
                "holiday",
                titles["holiday"],
                "business",
                PASS,
                f"no {business.holidays_country} holiday on the window's dates",
            )
        )
    dark = blackouts_on(start, duration, business)
    blackout = (
        Item(
            "blackout",
            titles["blackout"],
            "business",
            FAIL,
            f"blackout date {', '.join(d.isoformat() for d in dark)}",
        )
        if dark
        else Item("blackout", titles["blackout"], "business", PASS, "no configured blackout date")
    )
    return [peak, *holiday, blackout]


def _local_span(start: datetime, duration: timedelta, zone_name: str) -> str:
    zone = ZoneInfo(zone_name)
    begin, end = start.astimezone(zone), (start + duration).astimezone(zone)
    return f"{begin:%Y-%m-%d %H:%M}-{end:%H:%M} {begin:%Z}"


def standby_items(plan: Runbook, roster: Roster, facts: LogFacts) -> list[Item]:
    """Business: each required role staffed with an on-call member who confirmed standby."""
    items = []
    confirmed_by = {c.actor: c for c in facts.confirmations if c.item == STANDBY}
    for role in plan.business.required_roles if plan.business else []:
        title = f"{plan.roles.get(role, role)} staffed and on standby"
        key = f"standby:{role}"
        members = roster.members_of(role)
        on_call = [m for m in members if m.on_call]
        if not members:
            items.append(Item(key, title, "business", FAIL, "nobody holds the role in the roster"))
            continue
        if not on_call:
            items.append(Item(key, title, "business", FAIL, "no on-call member in the roster"))
            continue
        done = [m for m in on_call if m.slack_id in confirmed_by]
        if done:
            items.append(
                Item(
                    key,
                    title,
                    "business",
                    PASS,
                    f"{done[0].name} confirmed standby",
                    {"confirmed_by": done[0].slack_id},
                )
            )
        else:
            names = " or ".join(m.name for m in on_call)
            items.append(
                Item(
                    key,
                    title,
                    "business",
                    UNKNOWN,
                    f"waiting for {names} to confirm (`/cutover go-nogo confirm standby`)",
                    {"on_call": [m.slack_id for m in on_call]},
                )
            )
    return items


def comms_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Operational: the communications that need an acknowledgement (none: no item)."""
    wanted = [m.id for m in plan.communications.messages if m.needs_ack] if plan.communications else []
    return [comms_item(wanted, facts)] if wanted else []


def comms_item(wanted: list[str], facts: LogFacts) -> Item:
    """Operational: the communications that need an acknowledgement were sent and acknowledged."""
    title = "Stakeholders acknowledged the communications"
    sent = [c for c in wanted if c in facts.comms_sent]
    unacked = [c for c in sent if c not in facts.comms_acknowledged]
    data = {"wanted": wanted, "sent": sent, "unacknowledged": unacked}
    if not sent:
        return Item("comms_ack", title, "operational", UNKNOWN, f"not sent yet: {', '.join(wanted)}", data)
    if unacked:
        return Item("comms_ack", title, "operational", FAIL, f"not acknowledged: {', '.join(unacked)}", data)
    if len(sent) < len(wanted):
        missing = [c for c in wanted if c not in sent]
        return Item("comms_ack", title, "operational", UNKNOWN, f"not sent yet: {', '.join(missing)}", data)
    return Item("comms_ack", title, "operational", PASS, f"acknowledged: {', '.join(sent)}", data)


def rehearsal_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Operational: each rollback procedure rehearsed within the runbook's maximum age (rehearsals of any cutover)."""
    max_age = plan.go_nogo.rehearsal_max_age
    if max_age is None:
        return []
    items = []
    for proc in plan.rollbacks:
        title = f"Rollback {proc.id} rehearsed within {max_age.days} days"
        runs = [
            r
            for r in facts.rehearsals
            if r.get("procedure") == proc.id and str(r.get("outcome", "")).lower() not in FAILED_OUTCOMES
        ]
        if not runs:
            items.append(
                Item(f"rehearsal:{proc.id}", title, "operational", FAIL, f"{proc.id} was never rehearsed")
            )
            continue
        last = max(r["at"] for r in runs)
        age = facts.now - last
        data = {"last": last.isoformat(), "age_days": round(age.total_seconds() / 86400, 1)}
        if age <= max_age:
            items.append(
                Item(
                    f"rehearsal:{proc.id}",
                    title,
                    "operational",
                    PASS,
                    f"last rehearsed {last:%Y-%m-%d} ({age.days} days ago)",
                    data,
                )
            )
        else:
            items.append(
                Item(
                    f"rehearsal:{proc.id}",
                    title,
                    "operational",
                    FAIL,
                    f"last rehearsed {last:%Y-%m-%d}, {age.days} days ago",
                    data,
                )
            )
    return items


def confirmed_item(key: str, title: str, category: str, facts: LogFacts, plan: Runbook) -> Item:
    """An item confirmed by hand (`/cutover go-nogo confirm <key>`); unknown until then."""
    done = [c for c in facts.confirmations if c.item == key]
    if done:
        last = done[-1]
        note = f": {last.note}" if last.note else ""
        return Item(
            key,
            title,
            category,
            PASS,
            f"confirmed by <@{last.actor}> at {last.at:%H:%M} UTC{note}",
            {"confirmed_by": last.actor, "at": last.at.isoformat()},
        )
    return Item(key, title, category, UNKNOWN, f"needs confirmation: `/cutover go-nogo confirm {key}`")
