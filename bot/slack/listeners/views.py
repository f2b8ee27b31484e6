"""The reason modal's submission: run the command it was opened for, with the typed reason."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, BoltContext

from bot.slack.after_ack import ack_then_send
from bot.slack.listeners.actions import refuse_a_card_of_another_cutover
from bot.slack.listeners.cards import replace_pressed
from bot.slack.listeners.common import tell
from commands.context import Services
from commands.run import execute
from cutover.errors import InvalidTransition


def register(app: App) -> None:
    """Listen for the reason modal."""
    ack_then_send(app.view("cutover_reason"), reason_submitted)


def request_key(view: dict) -> str:
    """A repeated submission of the same modal carries the same view id and hash."""
    return f"view:{view['id']}:{view.get('hash', '')}"


def refuse_a_decided_card(services: Services) -> None:
    """A rollback-decision card pressed after someone decided (a double click, a stale copy) changes nothing.

    A rollback the runbook's rule ordered by itself leaves the decision open: the IC may still choose.
    """
    state = services.ledger.current()
    run = state.rollback if state is not None else None
    if state is not None and run is not None and not run.rule and not state.terminal:
        raise InvalidTransition.because("decision_made", procedure=run.procedure, by=run.ordered_by)


def typed_reason(view: dict) -> str:
    """The reason typed into the modal."""
    value = view.get("state", {}).get("values", {}).get("reason", {}).get("reason_input", {}).get("value")
    return (value or "").strip()


def reason_submitted(
    ack: Ack, body: dict, view: dict, services: Services, actor: str, context: BoltContext
) -> None:
    """Run `<command> <reason>` as the person who submitted, close the modal, answer privately (after the ack)."""
    metadata = json.loads(view["private_metadata"])
    refuse_a_card_of_another_cutover(services, body)
    if metadata.get("block_id") == "decision":
        refuse_a_decided_card(services)
    reply = execute(
        services, actor, f"{metadata['command']} {typed_reason(view)}".strip(), key=request_key(view)
    )
    ack()
    tell(context, services, body, actor, reply)
    if metadata.get("card") is not None:  # the card the modal was opened from loses its spent buttons
        pressed = {"action_id": metadata.get("action_id", ""), "value": metadata.get("value", "")}
        replace_pressed(context, services, body, pressed, actor, card=metadata["card"])
