"""The channel view of a cutover: one parent message kept current, its thread, and the button cards.

A `services.listeners` entry. Every recorded event with a template under `templates/slack/events/`
becomes a thread reply (with the buttons of `templates/blocks/events/<kind>.json.j2` when that
exists); decisions are also broadcast to the channel. Steps that become startable get a "ready"
card with a Start button for their R role. The parent message is posted when the cutover is
planned and updated after every batch. Everything goes through `services.outbox` with keys
derived from the log, so a replayed batch posts nothing twice.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from jinja2 import TemplateNotFound

from bot.timeline.messages import direct
from commands.context import Services
from cutover import events as ev
from cutover.errors import CutoverError
from cutover.progress import dashboard
from cutover.state import CutoverState, GateStatus, StepStatus
from templates.render import render, render_json

BROADCAST = frozenset(
    {
        "gonogo.decided",
        "gate.approved",
        "gate.rejected",
        "path.stopped",
        "rollback.ordered",
        "rollback.completed",
        "rollback.failed",
        "cutover.succeeded",
        "cutover.aborted",
    }
)


def parent_name(cutover_id: str) -> str:
    """The outbox name under which a cutover's parent message ts is saved."""
    return f"parent:{cutover_id}"


def announce(services: Services, state: CutoverState, recorded: list[ev.Recorded]) -> None:
    """Post the parent, the thread replies, the cards, then bring the parent up to date."""
    if services.outbox is None or not recorded:
        return
    cid = state.cutover_id
    for r in recorded:
        if isinstance(r.event, ev.CutoverPlanned):
            args = _parent_args(services, state, r.at)
            _shown_differs(services, cid, args)  # remembered as shown: the update below is then skipped
            _send(services, cid, "chat.postMessage", args, key=f"parent:{cid}", save_ts_as=parent_name(cid))
    for r in recorded:
        _thread_reply(services, state, r)
        if isinstance(r.event, ev.RollbackOrdered):
            _ask_approval(services, state, r)
        if isinstance(r.event, ev.PathStopped):
            _tell_to_stop(services, state, r)
    _update_checklist(services, state, recorded)
    _update_gate_cards(services, state, recorded)
    _update_decision_cards(services, state, recorded)
    for step_id in startable_steps(services, state):
        context = _context(services, state, recorded[-1], step=step_id)
        _post_in_thread(
            services,
            cid,
            "slack/step_ready.j2",
            "blocks/step_ready.json.j2",
            context,
            key=f"ready:{cid}:{step_id}:{state.step(step_id).attempts}",
        )
    args = _parent_args(services, state, recorded[-1].at)
    if _shown_differs(services, cid, args):  # after the end, monitoring and comms change nothing in it
        _send(
            services,
            cid,
            "chat.update",
            {**args, "ts": "{{ts:" + parent_name(cid) + "}}"},
            key=f"parent-update:{cid}:{state.seq}",
        )


def startable_steps(services: Services, state: CutoverState) -> list[str]:
    """Pending steps (of the plan or of the rollback under way) that their R role may start now."""
    ids = [*services.plan.steps_by_id, *services.plan.rollback_steps_by_id]
    ready = []
    for step_id in ids:
        if state.step(step_id).status != StepStatus.PENDING:
            continue
        try:
            services.engine.step_start(state, step_id)
        except CutoverError:
            continue
        ready.append(step_id)
    return ready


def _thread_reply(services: Services, state: CutoverState, r: ev.Recorded) -> None:
    kind = r.event.kind
    broadcast = kind in BROADCAST and not (isinstance(r.event, ev.GateApproved) and not r.event.complete)
    context = _context(services, state, r)
    _post_in_thread(
        services,
        state.cutover_id,
        f"slack/events/{kind}.j2",
        f"blocks/events/{kind}.json.j2",
        context,
        key=f"event:{state.cutover_id}:{r.seq}",
        broadcast=broadcast,
        save_ts_as=_card_name(state.cutover_id, r.event),
    )


def _card_name(cid: str, event: ev.Event) -> str | None:
    """The name under which a card redrawn later keeps its ts: the checklist, a gate, a decision's cause."""
    if isinstance(event, ev.RollbackChecklistOpened):
        return checklist_name(cid, event.procedure)
    if isinstance(event, ev.GateOpened):
        return gate_card_name(cid, event.gate)
    if isinstance(event, ev.GateRejected):  # its card asks for the decision (roll back, or abort)
        return decision_card_name(cid, f"gate:{event.gate}")
    if isinstance(event, ev.StepFailed):  # a step of the plan: its card asks for the decision too
        return decision_card_name(cid, f"step:{event.step_id}")
    return None


def gate_card_name(cutover_id: str, gate: int) -> str:
    """The outbox name under which a gate's card (Approve/Reject) ts is saved."""
    return f"gate-card:{cutover_id}:{gate}"


def decision_card_name(cutover_id: str, cause: str) -> str:
    """The outbox name under which a card asking for the rollback decision is saved (`gate:3`, `step:1B.1`)."""
    return f"decision-card:{cutover_id}:{cause}"


def checklist_name(cutover_id: str, procedure: str) -> str:
    """The outbox name under which the post-rollback checklist card's ts is saved."""
    return f"checklist:{cutover_id}:{procedure}"


def _update_checklist(services: Services, state: CutoverState, recorded: list[ev.Recorded]) -> None:
    """The checklist card shows each item confirmed (by its button or typed) and loses that item's button."""
    confirmed = [(r, r.event) for r in recorded if isinstance(r.event, ev.RollbackItemConfirmed)]
    if not confirmed:
        return
    last, item = confirmed[-1]
    cid, procedure = state.cutover_id, item.procedure
    context = _context(services, state, last)
    args = {
        "channel": services.channel,
        "ts": "{{ts:" + checklist_name(cid, procedure) + "}}",
        "text": render("slack/events/rollback.checklist_opened.j2", services.templates_dir, **context),
        "blocks": render_json(
            "blocks/events/rollback.checklist_opened.json.j2", services.templates_dir, **context
        ),
    }
    _send(services, cid, "chat.update", args, key=f"checklist-update:{cid}:{last.seq}")


def _update_gate_cards(services: Services, state: CutoverState, recorded: list[ev.Recorded]) -> None:
    """A gate's card says who approved or rejected it and when, and loses its buttons once decided, however the
    decision was recorded (typed, or clicked on any card or replica): redrawn from the log, once per decision."""
    decided = {r.event.gate: r for r in recorded if isinstance(r.event, (ev.GateApproved, ev.GateRejected))}
    cid = state.cutover_id
    for gate_no, last in decided.items():
        if gate_no not in services.plan.gates_by_number:
            continue
        context = _context(
            services, state, ev.Recorded(last.seq, last.at, last.actor, ev.GateOpened(gate=gate_no))
        )
        args = {
            "channel": services.channel,
            "ts": "{{ts:" + gate_card_name(cid, gate_no) + "}}",
            "text": render("slack/events/gate.opened.j2", services.templates_dir, **context),
            "blocks": render_json("blocks/events/gate.opened.json.j2", services.templates_dir, **context),
        }
        name = gate_card_name(cid, gate_no)
        _send(
            services, cid, "chat.update", args, key=f"gate-card-update:{cid}:{gate_no}:{last.seq}", lane=name
        )


def _update_decision_cards(services: Services, state: CutoverState, recorded: list[ev.Recorded]) -> None:
    """Once a rollback is ordered or the cutover aborted (typed or clicked), the cards that asked for that decision
    (a rejected gate's, a failed step's) say who decided what and when, without their spent buttons."""
    decisions = [r for r in recorded if isinstance(r.event, (ev.RollbackOrdered, ev.CutoverAborted))]
    if not decisions:
        return
    last = decisions[-1]
    cid, plan = state.cutover_id, services.plan
    if isinstance(last.event, ev.RollbackOrdered):
        outcome_args = {"action_id": "rollback", "value": last.event.procedure}
    else:
        outcome_args = {"action_id": "abort", "value": "cutover"}
    line = render(
        "slack/card_outcome.j2", services.templates_dir, actor=last.actor, at=last.at, **outcome_args
    ).strip()
    causes: list[tuple[str, ev.Recorded]] = []
    for gate_no, run in sorted(state.gates.items()):
        if run.status == GateStatus.REJECTED and run.rejection is not None:
            rejection = run.rejection
            event = ev.GateRejected(gate=gate_no, role=rejection.role, reason=rejection.reason)
            causes.append((f"gate:{gate_no}", ev.Recorded(last.seq, rejection.at, rejection.actor, event)))
    for step_id in plan.steps_by_id:
        run_ = state.step(step_id)
        if run_.status == StepStatus.FAILED and run_.ended_at is not None:
            event_ = ev.StepFailed(step_id=step_id, note=run_.note)
            causes.append(
                (f"step:{step_id}", ev.Recorded(last.seq, run_.ended_at, run_.ended_by or "", event_))
            )
    for cause, r in causes:
        context = _context(services, state, r)
        kind = r.event.kind
        blocks = _optional(render_json, f"blocks/events/{kind}.json.j2", services, context) or []
        blocks = [b for b in blocks if not (b.get("type") == "actions" and b.get("block_id") == "decision")]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": line}]})
        args = {
            "channel": services.channel,
            "ts": "{{ts:" + decision_card_name(cid, cause) + "}}",
            "text": render(f"slack/events/{kind}.j2", services.templates_dir, **context),
            "blocks": blocks,
        }
        name = decision_card_name(cid, cause)
        _send(
            services,
            cid,
            "chat.update",
            args,
            key=f"decision-card-update:{cid}:{cause}:{last.seq}",
            lane=name,
        )


def _ask_approval(services: Services, state: CutoverState, r: ev.Recorded) -> None:
    """Seed 4.3: the roles the runbook names are asked by DM to approve the rollback (it does not wait)."""
    procedure = r.event.procedure if isinstance(r.event, ev.RollbackOrdered) else ""
    asked = services.plan.authority.rollback_approval.get(procedure, [])
    people = {m.slack_id: m for role in asked for m in services.roster.members_of(role)}
    if not people:
        return
    context = _context(services, state, r)
    text = render("slack/rollback_approval_asked.j2", services.templates_dir, **context)
    blocks = render_json("blocks/events/rollback.ordered.json.j2", services.templates_dir, **context)
    for person in people:
        direct(
            services,
            person,
            text,
            key=f"rollback-approval:{state.cutover_id}:{r.seq}:{person}",
            blocks_=blocks,
        )


def _tell_to_stop(services: Services, state: CutoverState, r: ev.Recorded) -> None:
    """Seed 2.4: whoever runs a started step of the stopped phase is told by DM too (besides the thread)."""
    assert isinstance(r.event, ev.PathStopped)
    for step_id in r.event.running:
        person = state.step(step_id).started_by
        if not person:
            continue
        context = {**_context(services, state, r), "step_id": step_id}
        text = render("slack/stop_and_report.j2", services.templates_dir, **context)
        direct(services, person, text, key=f"stop-report:{state.cutover_id}:{r.seq}:{step_id}")


def _post_in_thread(
    services: Services,
    cid: str,
    text_template: str,
    blocks_template: str,
    context: dict[str, Any],
    *,
    key: str,
    broadcast: bool = False,
    save_ts_as: str | None = None,
) -> None:
    text = _optional(render, text_template, services, context)
    if not text:
        return
    args: dict[str, Any] = {
        "channel": services.channel,
        "thread_ts": "{{ts:" + parent_name(cid) + "}}",
        "text": text,
    }
    blocks = _optional(render_json, blocks_template, services, context)
    if blocks:
        args["blocks"] = blocks
    if broadcast:
        args["reply_broadcast"] = True
    _send(services, cid, "chat.postMessage", args, key=key, save_ts_as=save_ts_as)


def _shown_differs(services: Services, cid: str, args: dict[str, Any]) -> bool:
    """Whether the parent would change from what this process last queued for it (and remember it)."""
    content = (args["text"], json.dumps(args["blocks"], sort_keys=True))
    with _SHOWN_LOCK:
        shown = services.parent_shown
        if shown.get(cid) == content:
            return False
        shown[cid] = content
        return True


_SHOWN_LOCK = threading.Lock()


def _parent_args(services: Services, state: CutoverState, at) -> dict[str, Any]:
    context = {"d": dashboard(state, services.plan, at), "plan": services.plan, "state": state}
    return {
        "channel": services.channel,
        "text": render("slack/parent.j2", services.templates_dir, **context),
        "blocks": render_json("blocks/parent.json.j2", services.templates_dir, **context),
    }


def _context(
    services: Services, state: CutoverState, r: ev.Recorded, step: str | None = None
) -> dict[str, Any]:
    plan, roster = services.plan, services.roster
    step_id = step or getattr(r.event, "step_id", None)
    step_obj = (plan.steps_by_id.get(step_id) or plan.rollback_steps_by_id.get(step_id)) if step_id else None
    gate_no = getattr(r.event, "gate", None)
    gate = plan.gates_by_number.get(gate_no) if gate_no is not None else None
    roles = list(step_obj.raci.R) if step_obj else list(gate.approvers) if gate else []
    holders = {m.slack_id: m for role in roles for m in roster.members_of(role)}
    procedure = plan.rollbacks_by_id.get(getattr(r.event, "procedure", None) or "")
    runner_roles = dict.fromkeys(role for s in procedure.steps for role in s.raci.R) if procedure else {}
    return {
        "e": r.event,
        "r": r,
        "state": state,
        "plan": plan,
        "step": step_obj,
        "gate": gate,
        "roles": [plan.roles.get(role, role) for role in roles],
        "holders": list(holders.values()),
        "actor": r.actor,
        "actor_name": roster.name_of(r.actor),
        "procedure": procedure,
        "runners": [(plan.roles.get(role, role), roster.members_of(role)) for role in runner_roles],
    }


def _optional(renderer, name: str, services: Services, context: dict[str, Any]):
    try:
        return renderer(name, services.templates_dir, **context)
    except TemplateNotFound as exc:
        if exc.name != name:
            raise
        return None


def _send(
    services: Services,
    cid: str,
    method: str,
    args: dict[str, Any],
    *,
    key: str,
    save_ts_as: str | None = None,
    lane: str | None = None,
) -> None:
    """Queue one call in the thread's order, or in its own `lane`: a card's redraw waits there for the card's ts
    (a card whose post never succeeded, or posted before its ts was saved, then holds up only its own redraws)."""
    if services.outbox is None:  # `wire_slack` gives the announcer an outbox; without one nothing is said
        return
    order = f"card:{lane}" if lane else f"thread:{cid}"
    services.outbox.enqueue(method=method, args=args, key=key, order=order, save_ts_as=save_ts_as)
