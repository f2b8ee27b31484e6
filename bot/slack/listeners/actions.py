"""Buttons: each one is the equivalent /cutover command, so the RACI and the engine decide alike.

A button that needs a reason (Failed, Reject, Roll back, Abort) opens a modal right after the
ack, before any database work: a trigger id expires 3 s after the click. The permission is checked first
from memory (the RACI predicate is pure); a denied person gets no modal but an ephemeral
refusal, recorded like any denial. The modal's submission runs the command (bot/slack/listeners/views.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from slack_bolt import Ack, App, BoltContext

from bot.slack.after_ack import ack_then_send, later
from bot.slack.announcer import parent_name
from bot.slack.listeners.cards import card_for_modal, replace_pressed
from bot.slack.listeners.common import answer_channel, answer_thread, tell
from commands.context import Services
from commands.run import execute, parse
from commands.table import VERBS
from cutover.errors import InvalidTransition, PermissionDenied
from cutover.raci import may
from templates.render import render_json

REASON_PLACEHOLDER = "(reason to follow)"


@dataclass(frozen=True)
class Button:
    """What pressing a button means: the command it runs, and the modal that asks for a reason."""

    command: str  # "{value}" is replaced by the button's value
    modal_title: str | None = None
    submit: str = "Submit"
    prompt: str = ""


BUTTONS: dict[str, Button] = {
    "cutover_start": Button("start"),
    "step_start": Button("step start {value}"),
    "step_done": Button("step done {value}"),
    "step_fail": Button("step fail {value}", "Step failed", "Mark failed", "What failed in {value}?"),
    "gate_approve": Button("gate approve {value}"),
    "gate_reject": Button("gate reject {value}", "Reject a gate", "Reject", "Why is Gate {value} rejected?"),
    "rollback": Button(
        "rollback {value}", "Order a rollback", "Order {value}", "Why roll back with {value}?"
    ),
    "abort": Button("abort", "Abort the cutover", "Abort", "Why abort the cutover?"),
    "rollback_approve": Button("rollback approve {value}"),
    "rollback_object": Button(
        "rollback object {value}",
        "Object to the rollback",
        "Object",
        "Why do you object to rollback {value}?",
    ),
}


CHECKLIST_ITEM = re.compile(r"^rollback_confirm_\d+$")  # one Confirm per post-rollback checklist item
# Buttons that share one card with different values carry the value in their action_id
# ("rollback_R2"): Slack refuses a block whose buttons repeat an action_id.
PER_VALUE = ("rollback",)


def button(action_id: str, value: str = "") -> Button | None:
    """What a button means: one of BUTTONS, a checklist item's Confirm (`rollback_confirm_<n>`), or a
    PER_VALUE button whose action_id ends in its value ("rollback_R2" with the value "R2")."""
    if CHECKLIST_ITEM.match(action_id):
        return Button("rollback confirm {value}")
    if action_id not in BUTTONS and value and action_id.endswith(f"_{value}"):
        action_id = action_id[: -len(value) - 1]
    return BUTTONS.get(action_id)


def opens_modal(action_id: str) -> bool:
    """Whether pressing this button asks for a reason first."""
    pressed = button(action_id)
    return pressed is not None and pressed.modal_title is not None


def register(app: App) -> None:
    """Listen for every button of the bot's messages and App Home."""
    for action_id in BUTTONS:
        ack_then_send(app.action(action_id), button_pressed)
    ack_then_send(app.action(CHECKLIST_ITEM), button_pressed)
    for action_id in PER_VALUE:  # registered last: Bolt runs the first listener that matches
        ack_then_send(app.action(re.compile(rf"^{re.escape(action_id)}_.+$")), button_pressed)


def request_key(body: dict, action: dict) -> str:
    """A repeated delivery of the same click carries the same user, action and action_ts."""
    return f"action:{body['user']['id']}:{action['action_id']}:{action.get('value', '')}:{action.get('action_ts', '')}"


def button_pressed(
    ack: Ack, body: dict, action: dict, services: Services, actor: str, context: BoltContext
) -> None:
    """Run the button's command as the person who pressed it, or open the modal asking for the reason.

    Both answers (the private reply, the modal) go to Slack after the ack.
    """
    ack()
    pressed = button(action["action_id"], action.get("value", ""))
    assert pressed is not None  # registered for BUTTONS, their per-value ids and the checklist items only
    value = action.get("value", "")
    command = pressed.command.format(value=value)
    if pressed.modal_title is not None:
        _ask_reason(services, context, body, action, actor, pressed, command, value)
        return
    refuse_a_card_of_another_cutover(services, body)
    reply = execute(services, actor, command, key=request_key(body, action))
    tell(context, services, body, actor, reply)
    replace_pressed(context, services, body, action, actor)


def refuse_a_card_of_another_cutover(services: Services, body: dict) -> None:
    """A card in the thread of a cutover that is not the current one changes nothing (it would act on this one)."""
    thread = answer_thread(body)
    if not thread or services.outbox is None:
        return
    state = services.ledger.current()
    if state is None:
        return
    shown = services.outbox.ts(parent_name(state.cutover_id))  # one small read, for clicks in a thread only
    if shown is not None and shown != thread:
        raise InvalidTransition.because("card_of_another_cutover", cutover=state.cutover_id)


def _ask_reason(
    services: Services,
    context: BoltContext,
    body: dict,
    action: dict,
    actor: str,
    button: Button,
    command: str,
    value: str,
) -> None:
    """Open the reason modal when the person may do this; otherwise refuse (and record) without a modal."""
    placeholder = f"{command} {REASON_PLACEHOLDER}"
    parsed = parse(services, placeholder)  # a stale button (unknown id) is refused here, from memory
    decision = may(actor, VERBS[parsed.verb].action(parsed.args), services.plan, services.roster)
    if not decision.allowed:
        try:
            execute(services, actor, placeholder)  # records the denial and raises PermissionDenied
        except PermissionDenied as denied:
            denied.context["command"] = command
            raise
        return
    metadata = json.dumps(
        {
            "command": command,
            "channel": answer_channel(services, body),
            "action_id": action["action_id"],
            "value": value,
            "block_id": action.get("block_id", ""),
            "response_url": body.get("response_url"),
            "thread_ts": answer_thread(body),
            "card": card_for_modal(body, action),
        }
    )
    view = render_json(
        "blocks/reason_modal.json.j2",
        services.templates_dir,
        title=button.modal_title,
        submit=button.submit.format(value=value),
        prompt=button.prompt.format(value=value),
        command=command,
        metadata=metadata,
    )
    later(context, "views.open", trigger_id=body["trigger_id"], view=view)
