"""Escalations (seed 2.5, 4.3): who is pinged when, and again until someone acknowledges.

An episode is one trigger on one subject (a step past its timeout, a gate past its timeout, a
failed validation, a rollback decision needed, its default recommendation when nobody decides
in time, a critical alarm, a monitoring breach). Its first ping is due when the trigger fires;
each next one after the runbook's `repeat_backoff` (the last value repeats), until the episode
is acknowledged or snoozed, or its condition clears. Episode keys: `esc:<trigger>:<ref>:<cutover>`;
ping keys add the attempt.
"""

from __future__ import annotations

from datetime import datetime

from cutover.deadlines import deadlines
from cutover.plan.model import Runbook
from cutover.state import RUNNING, CutoverState
from cutover.timeline.due import DueAction

DECISION_TIMEOUT = "decision_timeout"


ALIASES = {DECISION_TIMEOUT: "rollback_decision", "monitoring_breach": "validation_failure"}


def trigger_roles(plan: Runbook, trigger: str, attempt: int = 1) -> list[str]:
    """The roles a trigger escalates to (a missed decision as a decision; a monitoring breach as a validation failure).

    From the second ping on, the trigger's `then_to` roles are added: the IC first, then Management.
    """
    name = ALIASES.get(trigger, trigger)
    for found in plan.escalations.triggers:
        if found.trigger == name:
            later = [r for r in found.then_to if r not in found.escalate_to] if attempt > 1 else []
            return [*found.escalate_to, *later]
    return []


def trigger_description(plan: Runbook, trigger: str) -> str:
    """The runbook's words for a trigger."""
    name = ALIASES.get(trigger, trigger)
    return next((t.description for t in plan.escalations.triggers if t.trigger == name), trigger)


def episode_key(trigger: str, ref: str, cutover_id: str) -> str:
    """The key of one escalation episode."""
    return f"esc:{trigger}:{ref}:{cutover_id}"


def pings(
    state: CutoverState,
    plan: Runbook,
    trigger: str,
    ref: str,
    first_at: datetime,
    extra: dict | None = None,
) -> list[DueAction]:
    """The next ping of an episode, unless acknowledged or out of repeats."""
    key = episode_key(trigger, ref, state.cutover_id)
    if key in state.time.acknowledged:
        return []
    episode = state.time.episodes.get(key)
    sent = episode.attempts if episode else 0
    if sent == 0 or episode is None:
        at = first_at
    else:
        backoff = plan.escalations.repeat_backoff
        if not backoff:
            return []
        at = episode.last_at + backoff[min(sent - 1, len(backoff) - 1)]
    snoozed = state.time.snoozed_until.get(key)
    if snoozed and snoozed > at:
        at = snoozed
    data = {
        "episode": key,
        "trigger": trigger,
        "ref": ref,
        "roles": trigger_roles(plan, trigger, sent + 1),
        "attempt": sent + 1,
        "first_at": first_at.isoformat(),
        **(extra or {}),
    }
    return [DueAction(f"{key}:{sent + 1}", at, "escalation", data)]


def candidates(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """Every escalation ping and default recommendation pending for a cutover under way."""
    found: list[DueAction] = []
    if not state.paused:
        for d in deadlines(state, plan, t):
            if d.kind == "step":
                ref = f"{d.ref}#{state.step(d.ref).attempts}"
                found += pings(
                    state,
                    plan,
                    "step_timeout",
                    ref,
                    d.due,
                    {"step": d.ref, "timeout": d.timeout.total_seconds()},
                )
            else:
                found += pings(
                    state,
                    plan,
                    "gate_timeout",
                    d.ref,
                    d.due,
                    {"gate": int(d.ref), "timeout": d.timeout.total_seconds()},
                )
    validation, at = state.integrity.validation, state.integrity.validation_at
    if validation and not validation.get("passed") and state.integrity.validation_override is None and at:
        failed = [i.get("name", "") for i in validation.get("items", []) if i.get("result") == "fail"]
        found += pings(state, plan, "validation_failure", at.isoformat(), at, {"failed": failed})
    since = state.decision_needed_since
    if since is not None and state.status in RUNNING:
        found += pings(state, plan, "rollback_decision", since.isoformat(), since)
        default_at = since + plan.escalations.decision_timeout + state.paused_between(since, t)
        recommended = state.time.defaults_recommended.get(since.isoformat())
        if recommended is None and not state.paused:
            found.append(
                DueAction(
                    f"default:{state.cutover_id}:{since.isoformat()}",
                    default_at,
                    "default_rollback",
                    {"since": since.isoformat()},
                )
            )
        elif recommended is not None:  # paused before any default was recommended: nothing to ping yet
            found += pings(state, plan, DECISION_TIMEOUT, since.isoformat(), recommended)
    if state.time.alarms and state.time.alarms_at:
        found += pings(
            state,
            plan,
            "critical_alarm",
            state.time.alarms_at.isoformat(),
            state.time.alarms_at,
            {"alarms": list(state.time.alarms)},
        )
    return found
