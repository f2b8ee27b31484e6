"""The go/no-go checklist lines, one function per factor (seed 1.4); `cutover/integrity/checklist.py` assembles them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cutover.integrity.business_window import blackouts_on, holidays_on, peak_clashes
from cutover.integrity.facts import LogFacts
from cutover.plan.model import Runbook
from cutover.probes import Reading
from cutover.roster import Roster

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
NOT_REQUIRED = "n/a"  # the item does not apply to this cutover (said why); it neither passes nor blocks
CLEAR = frozenset({PASS, NOT_REQUIRED})  # the results that do not block GO
FAILED_OUTCOMES = frozenset({"fail", "failed", "rollback_failed", "aborted", "error"})
STANDBY = "standby"


@dataclass(frozen=True)
class Item:
    """One checklist line: `reason` is a code and `data` its facts (templates/gonogo/_words.j2 words both
    the reason and, when `title` is empty, the title); logs written before codes hold sentences."""

    key: str
    title: str  # the runbook's own title (a confirmation's), or "" when the template words it from the key
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
    base = {"threshold": threshold}
    if reading is None:
        return Item("readiness", "", "technical", UNKNOWN, "no_readiness_probe", base)
    if reading.ok is None or reading.value is None:
        gone = {**base, "source": reading.source, "error": reading.error}
        return Item("readiness", "", "technical", UNKNOWN, "unreachable", gone)
    score = float(reading.value)
    data = {**base, "score": score, **reading.details}
    result = PASS if score >= threshold else FAIL
    return Item("readiness", "", "technical", result, "readiness_score", data)


def alarms_item(reading: Reading | None) -> Item:
    """Technical: no critical alarm in ALARM."""
    if reading is None:
        return Item("critical_alarms", "", "technical", UNKNOWN, "no_alarm_probe")
    if reading.ok is None:
        gone = {"source": reading.source, "error": reading.error}
        return Item("critical_alarms", "", "technical", UNKNOWN, "unreachable", gone)
    names = list(reading.value or [])
    if names:
        return Item("critical_alarms", "", "technical", FAIL, "in_alarm", {"alarms": names})
    return Item("critical_alarms", "", "technical", PASS, "no_alarm", {"alarms": []})


def dependency_health_item(key: str, name: str, url: str, reading: Reading | None) -> Item:
    """External: a dependency's HTTP health endpoint."""
    base = {"name": name, "url": url}
    if reading is None:
        return Item(key, "", "external", UNKNOWN, "not_measured", base)
    data = {**base, **reading.details}
    if reading.ok is None:
        return Item(key, "", "external", UNKNOWN, "endpoint_unreachable", {**data, "error": reading.error})
    answer = {**data, "status": reading.value, "error": "" if reading.ok else (reading.error or "")}
    return Item(key, "", "external", PASS if reading.ok else FAIL, "endpoint_answered", answer)


# --- log items -----------------------------------------------------------------------------------


def window_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Business: the whole window outside peak hours, not on a holiday, not on a blackout date."""
    business, start = plan.business, facts.window_start
    if business is None:
        return []
    keys = ["peak_window", *(["holiday"] if business.holidays_country else []), "blackout"]
    if start is None:
        return [Item(key, "", "business", UNKNOWN, "no_window") for key in keys]
    duration = plan.sla.target_duration
    clashes = peak_clashes(start, duration, business)
    if clashes:
        found = [
            {
                "name": c.name,
                "start": f"{c.local_start:%H:%M}",
                "end": f"{c.local_end:%H:%M}",
                "zone": f"{c.local_start:%Z}",
            }
            for c in clashes
        ]
        peak = Item("peak_window", "", "business", FAIL, "peak_overlap", {"clashes": found})
    else:
        peak = Item(
            "peak_window", "", "business", PASS, "peak_clear", _local_span(start, duration, business.timezone)
        )
    items = [peak]
    if business.holidays_country:
        found_days = holidays_on(start, duration, business)
        days = {d.isoformat(): n for d, n in found_days.items()}
        country = {"country": business.holidays_country}
        items.append(
            Item("holiday", "", "business", FAIL, "holiday_on", {**country, "holidays": days})
            if found_days
            else Item("holiday", "", "business", PASS, "holiday_clear", country)
        )
    dark = [d.isoformat() for d in blackouts_on(start, duration, business)]
    items.append(
        Item("blackout", "", "business", FAIL, "blackout_on", {"dates": dark})
        if dark
        else Item("blackout", "", "business", PASS, "blackout_clear")
    )
    return items


def _local_span(start: datetime, duration: timedelta, zone_name: str) -> dict[str, str]:
    zone = ZoneInfo(zone_name)
    begin, end = start.astimezone(zone), (start + duration).astimezone(zone)
    return {"begin": f"{begin:%Y-%m-%d %H:%M}", "end": f"{end:%H:%M}", "zone": f"{begin:%Z}"}


def standby_items(plan: Runbook, roster: Roster, facts: LogFacts) -> list[Item]:
    """Business: each required role staffed with an on-call member who confirmed standby."""
    items = []
    confirmed_by = {c.actor: c for c in facts.confirmations if c.item == STANDBY}
    for role in plan.business.required_roles if plan.business else []:
        base: dict[str, Any] = {"role": role, "role_title": plan.roles.get(role, role)}
        key = f"standby:{role}"
        members = roster.members_of(role)
        on_call = [m for m in members if m.on_call]
        if not members:
            items.append(Item(key, "", "business", FAIL, "role_unstaffed", base))
            continue
        if not on_call:
            items.append(Item(key, "", "business", FAIL, "role_not_on_call", base))
            continue
        done = [m for m in on_call if m.slack_id in confirmed_by]
        if done:
            data = {**base, "name": done[0].name, "confirmed_by": done[0].slack_id}
            items.append(Item(key, "", "business", PASS, "standby_confirmed", data))
        else:
            data = {**base, "names": [m.name for m in on_call], "on_call": [m.slack_id for m in on_call]}
            items.append(Item(key, "", "business", UNKNOWN, "standby_waiting", data))
    return items


def comms_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Operational: the communications before the window that need an acknowledgement (none: no item).

    Messages anchored elsewhere (a failed rollback's L3, completion) cannot have gone out before GO."""
    messages = plan.communications.messages if plan.communications else []
    wanted = [m.id for m in messages if m.needs_ack and m.anchor == "window"]
    return [comms_item(wanted, facts)] if wanted else []


def comms_item(wanted: list[str], facts: LogFacts) -> Item:
    """Operational: the communications that need an acknowledgement were sent and acknowledged."""
    sent = [c for c in wanted if c in facts.comms_sent]
    unacked = [c for c in sent if c not in facts.comms_acknowledged]
    data = {"wanted": wanted, "sent": sent, "unacknowledged": unacked}
    if not sent:
        return Item("comms_ack", "", "operational", UNKNOWN, "comms_unsent", {**data, "missing": wanted})
    if unacked:
        return Item("comms_ack", "", "operational", FAIL, "comms_unacknowledged", data)
    if len(sent) < len(wanted):
        missing = [c for c in wanted if c not in sent]
        return Item("comms_ack", "", "operational", UNKNOWN, "comms_unsent", {**data, "missing": missing})
    return Item("comms_ack", "", "operational", PASS, "comms_acknowledged", data)


def rehearsal_items(plan: Runbook, facts: LogFacts) -> list[Item]:
    """Operational: each rollback procedure rehearsed within the runbook's maximum age (rehearsals of any cutover).

    The drills (seed 4.1: T-30d, T-21d, T-14d, T-7d) guard the production cutover; a rehearsal on
    simulated infrastructure is one of them, so it cannot require itself: there an item not passing
    is not required (and says so), never a pass.
    """
    max_age = plan.go_nogo.rehearsal_max_age
    if max_age is None:
        return []
    items = []
    for proc in plan.rollbacks:
        item = _rehearsal_item(proc.id, max_age, facts)
        if facts.rehearsal is not None and item.result != PASS:
            data = {**item.data, "scenario": facts.rehearsal, "found": item.reason}
            item = Item(item.key, "", "operational", NOT_REQUIRED, "drill_not_required_in_rehearsal", data)
        items.append(item)
    return items


def _rehearsal_item(procedure: str, max_age: timedelta, facts: LogFacts) -> Item:
    """Whether one rollback procedure was drilled (successfully) within max_age of now."""
    base = {"procedure": procedure, "max_days": max_age.days}
    runs = [
        r
        for r in facts.rehearsals
        if r.get("procedure") == procedure and str(r.get("outcome", "")).lower() not in FAILED_OUTCOMES
    ]
    if not runs:
        return Item(f"rehearsal:{procedure}", "", "operational", FAIL, "never_rehearsed", base)
    last = max(r["at"] for r in runs)
    age = facts.now - last
    data = {
        **base,
        "last": last.isoformat(),
        "age_days": round(age.total_seconds() / 86400, 1),
        "days_ago": age.days,
    }
    result = PASS if age <= max_age else FAIL
    return Item(f"rehearsal:{procedure}", "", "operational", result, "rehearsed", data)


def confirmed_item(key: str, title: str, category: str, facts: LogFacts, name: str = "") -> Item:
    """An item confirmed by hand (`/cutover go-nogo confirm <key>`); unknown until then.

    `title` is the runbook's; a dependency's item has none and is worded from its `name`."""
    base = {"item": key, **({"name": name} if name else {})}
    done = [c for c in facts.confirmations if c.item == key]
    if done:
        last = done[-1]
        data = {**base, "confirmed_by": last.actor, "at": last.at.isoformat(), "note": last.note}
        return Item(key, title, category, PASS, "confirmed", data)
    return Item(key, title, category, UNKNOWN, "needs_confirmation", base)
