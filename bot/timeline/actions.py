"""Doing what fell due: each time-driven action queues its messages, then records its event.

Messages are queued first (idempotent by key), the event second: a crash in between leaves the
action due, and firing it again queues nothing new and records it once. Every text is a template
under templates/time/ or templates/comms/.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.timeline import messages as msg
from bot.timeline import sla
from bot.timeline.comms import send_communication
from bot.timeline.monitoring import checkpoint
from bot.timeline.record import base as _base
from bot.timeline.record import record
from commands.context import Services
from cutover.decisions import recommend, timeout_procedure
from cutover.progress import dashboard
from cutover.state import CutoverState
from cutover.timeline import events as te
from cutover.timeline.comms import comm_key
from cutover.timeline.due import DueAction
from cutover.timeline.escalations import DECISION_TIMEOUT, trigger_description
from storage import eventlog

log = logging.getLogger(__name__)


def fire(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """Carry out one due action at time t."""
    FIRE[action.kind](services, state, action, t)


def _status(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    context = {**_base(services, state, action, t), "d": dashboard(state, services.plan, t)}
    seq, digest = eventlog.chain_head(engine=services.ledger.db, cutover_id=state.cutover_id)
    head = {"cutover_id": state.cutover_id, "seq": seq, "hash": digest}  # an anchor outside the database
    msg.thread(
        services,
        state.cutover_id,
        msg.text(services, "time/status.j2", **context),
        key=action.key,
        metadata={"event_type": "cutover_chain_head", "event_payload": head},
    )
    record(services, state.cutover_id, te.StatusPosted(key=action.key), action.key, t)


def _lead_reminder(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    phase = services.plan.phases_by_id[action.data["phase"]]
    people = msg.recipients(services, [phase.lead], everyone_in_role=False)
    context = {
        **_base(services, state, action, t),
        "phase": phase,
        "people": people,
        "role": services.plan.roles.get(phase.lead, phase.lead),
    }
    for person in people:
        msg.direct(
            services,
            person.slack_id,
            msg.text(services, "time/lead_reminder_dm.j2", **context),
            key=f"{action.key}:dm:{person.slack_id}",
        )
    msg.thread(
        services, state.cutover_id, msg.text(services, "time/lead_reminder.j2", **context), key=action.key
    )
    record(
        services,
        state.cutover_id,
        te.LeadReminded(key=action.key, phase=phase.id, to=[p.slack_id for p in people]),
        action.key,
        t,
    )


def _escalation(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    data, plan = action.data, services.plan
    people = msg.recipients(services, data["roles"], everyone_in_role=data["attempt"] > 1)
    context = {
        **_base(services, state, action, t),
        **data,
        "people": people,
        "roles": [plan.roles.get(r, "everyone" if r == "all" else r) for r in data["roles"]],
        "description": trigger_description(plan, data["trigger"]),
        "ack_value": f"{state.cutover_id}|{data['episode']}",
    }
    dm_text = msg.text(services, "time/escalation_dm.j2", **context)  # the same for every person
    dm_blocks = msg.blocks(services, "time/escalation.json.j2", text=dm_text, **context)
    for person in people:
        msg.direct(
            services,
            person.slack_id,
            dm_text,
            key=f"{action.key}:dm:{person.slack_id}",
            blocks_=dm_blocks,
        )
    thread_text = msg.text(services, "time/escalation.j2", **context)
    msg.thread(
        services,
        state.cutover_id,
        thread_text,
        key=action.key,
        blocks_=msg.blocks(services, "time/escalation.json.j2", text=thread_text, **context),
    )
    event = te.EscalationSent(
        key=data["episode"],
        trigger=data["trigger"],
        roles=list(data["roles"]),
        to=[p.slack_id for p in people],
        ref=data["ref"],
        reason=context["description"],
        attempt=data["attempt"],
    )
    record(services, state.cutover_id, event, action.key, t)


def _default_rollback(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """No decision in time (seed 4.3): the runbook's rule orders the default rollback, or only recommends it."""
    plan = services.plan
    rec = recommend(state, plan)
    procedure = timeout_procedure(plan, rec)
    if plan.escalations.decision_timeout_action == "order" and not state.paused:
        context = {**_base(services, state, action, t), "timeout": plan.escalations.decision_timeout}
        reason = msg.text(services, "time/default_rollback_reason.j2", procedure=procedure, **context)
        [ordered] = services.engine.rollback(
            state, procedure, reason, recommended=rec.rollback or "", rule=DECISION_TIMEOUT
        )
        record(services, state.cutover_id, ordered, action.key, t)
        return
    context = {
        **_base(services, state, action, t),
        "rec": rec,
        "procedure": plan.rollbacks_by_id[procedure],
        "timeout": plan.escalations.decision_timeout,
    }
    msg.thread(
        services,
        state.cutover_id,
        msg.text(services, "time/default_rollback.j2", **context),
        key=action.key,
        broadcast=True,
    )
    reason = msg.text(services, "time/default_rollback_recommended_reason.j2", rec=rec)
    event = te.DefaultRollbackRecommended(procedure=procedure, reason=reason, since=action.data["since"])
    record(services, state.cutover_id, event, action.key, t)


def _degradation(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    plan, level = services.plan, action.data["level"]
    described = plan.degradation_level(level)
    workarounds = plan.business.manual_workarounds if plan.business and level == 3 else []
    context = {
        **_base(services, state, action, t),
        "level": level,
        "previous": action.data["from"],
        "described": described,
        "workarounds": workarounds,
    }
    msg.thread(
        services,
        state.cutover_id,
        msg.text(services, "time/degradation.j2", **context),
        key=action.key,
        broadcast=True,
    )
    banner = described.banner if described else ""
    record(services, state.cutover_id, te.DegradationChanged(level=level, banner=banner), action.key, t)


def _comm_cancel(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    event = te.CommCancelled(comm_id=action.data["comm_id"], code=action.data["code"])
    record(services, state.cutover_id, event, comm_key(action.data["comm_id"], state.cutover_id), t)


FIRE = {
    "status": _status,
    "lead_reminder": _lead_reminder,
    "escalation": _escalation,
    "default_rollback": _default_rollback,
    "degradation": _degradation,
    "comm_cancel": _comm_cancel,
    "comm": send_communication,
    "monitoring": checkpoint,
    "sla_warning": sla.warn,
    "sla_breach": sla.breach,
}
