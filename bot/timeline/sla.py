"""The SLA watch (seed 4.2 "acceptable downtime < 60 minutes"): a warning before the limit, the breach at it.

The warning goes to the thread (broadcast) and by DM to the runbook's `sla.warn_to` roles. The
breach is announced in the thread and to every audience of the communications plan (their Slack
channels and emails), and recorded; the degradation level then moves one up (`degradation_level`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.timeline import messages as msg
from bot.timeline.record import base, record
from commands.context import Services
from cutover.progress import dashboard, degradation_level
from cutover.state import CutoverState
from cutover.timeline import events as te
from cutover.timeline.due import DueAction


def warn(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """The SLA warning: how long it has been, what is left, where things stand."""
    context = _context(services, state, action, t)
    text = msg.text(services, "time/sla_warning.j2", **context)
    msg.thread(services, state.cutover_id, text, key=action.key, broadcast=True)
    for person in msg.recipients(services, list(services.plan.sla.warn_to), everyone_in_role=False):
        msg.direct(services, person.slack_id, text, key=f"{action.key}:dm:{person.slack_id}")
    event = te.SlaWarning(elapsed_s=context["elapsed"].total_seconds(), limit_s=action.data["limit_s"])
    record(services, state.cutover_id, event, action.key, t)


def breach(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """The SLA breach, to the thread and to every audience, with the degradation level it moves to."""
    plan = services.plan
    base_level = degradation_level(state)
    level = min(3, base_level + 1) if base_level else base_level
    described = plan.degradation_level(level)
    context = {
        **_context(services, state, action, t),
        "level": level,
        "described": described,
        "workarounds": plan.business.manual_workarounds if plan.business and level == 3 else [],
    }
    text = msg.text(services, "time/sla_breach.j2", **context)
    msg.thread(services, state.cutover_id, text, key=action.key, broadcast=True)
    if plan.communications is not None:
        subject = msg.text(services, "time/sla_breach_subject.j2", **context)
        for name, audience in plan.communications.audiences.items():
            for channel in audience.slack_channels:
                if channel != services.channel:
                    msg.channel(services, channel, text, key=f"{action.key}:slack:{name}:{channel}")
            if audience.emails:
                msg.email(
                    services,
                    list(audience.emails),
                    subject,
                    msg.text(services, "time/sla_breach_email.j2", **context),
                    key=f"{action.key}:email:{name}",
                    cutover_id=state.cutover_id,
                )
    event = te.SlaBreached(elapsed_s=context["elapsed"].total_seconds(), level=level)
    record(services, state.cutover_id, event, action.key, t)


def _context(services: Services, state: CutoverState, action: DueAction, t: datetime) -> dict:
    limit = timedelta(seconds=action.data["limit_s"])
    elapsed = t - state.started_at if state.started_at else timedelta(0)
    return {
        **base(services, state, action, t),
        "elapsed": elapsed,
        "limit": limit,
        "left": limit - elapsed,
        "d": dashboard(state, services.plan, t),
    }
