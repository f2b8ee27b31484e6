"""App Home: the seed's Cutover Status Dashboard and the viewer's pending approvals, as a view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commands.context import Services
from cutover.plan.model import Gate
from cutover.progress import Dashboard, dashboard
from cutover.state import CutoverState, GateStatus, Status
from templates.render import render_json

ENDED = frozenset({Status.SUCCEEDED, Status.ROLLED_BACK, Status.ABORTED})


@dataclass(frozen=True)
class Headline:
    """The six lines of the seed's dashboard (2.5): phase, step, elapsed, remaining, status, next phase."""

    phase: str
    step: str
    elapsed: Any
    remaining: Any
    status: str
    next_phase: str


def headline(d: Dashboard) -> Headline:
    """Reduce the dashboard to the seed's six lines."""
    active = [p for p in d.phases if p.outcome in ("in_progress", "failed")]
    if d.rollback_progress and d.rollback_progress.outcome == "in_progress":
        active = [d.rollback_progress]
    if d.status in ENDED:
        active = []
    titles = [p.title + (" rollback" if p is d.rollback_progress else "") for p in active]
    phase = " and ".join(f"Phase {p.id} - {t}" for p, t in zip(active, titles, strict=True)) or "-"
    steps = [f"{p.current_step} - {p.current_title}" for p in active if p.current_step]
    steps = steps or [f"{p.next_step} - {p.next_title} (next)" for p in active if p.next_step]
    status = d.status.value.replace("_", " ").capitalize()
    if d.paused:
        status += f" (paused: {d.pause_reason})"
    return Headline(
        phase=phase,
        step="; ".join(steps) or "-",
        elapsed=d.elapsed,
        remaining=d.stage_remaining,
        status=status,
        next_phase=" and ".join(f"Phase {p}" for p in d.next_phases) or "-",
    )


def pending_approvals(services: Services, state: CutoverState, user: str) -> list[Gate]:
    """Open gates this user may approve and has not approved yet (one role each for "all" gates)."""
    held = set(services.roster.roles_of(user))
    pending = []
    for gate in services.plan.gates:
        run = state.gate(gate.number)
        if run.status != GateStatus.OPEN or not held & set(gate.approvers):
            continue
        if any(a.actor == user for a in run.approvals):
            continue
        approved_roles = {a.role for a in run.approvals}
        if gate.approval == "all" and not (held & set(gate.approvers)) - approved_roles:
            continue
        pending.append(gate)
    return pending


def home_view(services: Services, user: str, now: datetime) -> dict:
    """The App Home view for this user."""
    state = services.ledger.current()
    d = dashboard(state, services.plan, now) if state else None
    context = {
        "plan": services.plan,
        "d": d,
        "h": headline(d) if d else None,
        "now": now,
        "user": user,
        "roles": [services.plan.roles.get(r, r) for r in services.roster.roles_of(user)],
        "approvals": pending_approvals(services, state, user) if state else [],
    }
    return render_json("blocks/home.json.j2", services.templates_dir, **context)
