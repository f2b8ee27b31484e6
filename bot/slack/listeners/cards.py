"""A pressed card after its button did something: it says who did what and when, its spent buttons gone.

The answer to the person goes privately to the card's thread through the click's `response_url`
(Bolt's `respond`); the card itself is replaced there too (`replace_original`), so nobody presses a
spent button again. Both leave after the ack (`later`). A card whose buttons are not spent by one
press (a gate that needs an approval from each of its roles) keeps them and gains the line.
A modal button's card is replaced when the modal is submitted: the modal carries what is needed
(the click's `response_url`, the card without its pressed buttons) in its private metadata.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext

from bot.slack.after_ack import RESPOND, later
from bot.slack.listeners.common import response_url
from bot.slack.mrkdwn import fit_reply
from commands.context import Services
from cutover.state import GateStatus
from templates.render import render

CARD_IN_METADATA = 2000  # characters of card blocks a reason modal carries (Slack: 3,000 of metadata)
KEEP = frozenset({"comm_ack", "escalation_ack"})  # one press per person: the card stays for the others
CHECKLIST = (
    "rollback_confirm_"  # the checklist card is redrawn from the log as items are confirmed (announcer)
)


def without_pressed(blocks: list[dict], action: dict) -> list[dict]:
    """The card's blocks without the actions block of the pressed button."""
    block_id, action_id = action.get("block_id"), action.get("action_id")
    kept = []
    for block in blocks:
        if block.get("type") == "actions" and (
            (block_id and block.get("block_id") == block_id)
            or any(e.get("action_id") == action_id for e in block.get("elements", []))
        ):
            continue
        kept.append(block)
    return kept


def card_for_modal(body: dict, action: dict) -> dict[str, Any]:
    """What a reason modal keeps of the pressed card, to replace it once submitted."""
    message = body.get("message") or {}
    blocks = without_pressed(message.get("blocks") or [], action)
    if len(json.dumps(blocks)) <= CARD_IN_METADATA:
        return {"blocks": blocks}
    text = (message.get("text") or "")[: CARD_IN_METADATA // 2]
    return {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}]}


def outcome_line(services: Services, action_id: str, value: str, actor: str) -> str:
    """ "Approved by <@U…> at 01:23 UTC": what the press did, by whom, when."""
    return render(
        "slack/card_outcome.j2",
        services.templates_dir,
        action_id=action_id,
        value=value,
        actor=actor,
        at=services.clock.now(),
    ).strip()


def still_open(services: Services, action_id: str, value: str) -> bool:
    """Whether the card's buttons still serve after this press (a gate waiting for another role)."""
    if action_id in KEEP:
        return True
    if action_id != "gate_approve" or not value.isdigit():
        return False
    state = services.ledger.last_read()
    return state is not None and state.gate(int(value)).status == GateStatus.OPEN


def replace_pressed(
    context: BoltContext, services: Services, body: dict, action: dict, actor: str, card: dict | None = None
) -> None:
    """Replace the pressed card (after the ack) by itself plus the outcome line, without its spent buttons."""
    action_id, value = action.get("action_id", ""), action.get("value", "")
    if action_id in KEEP or action_id.startswith(CHECKLIST) or not response_url(body):
        return
    message = body.get("message") or {}
    if card is not None:
        blocks = list(card.get("blocks") or [])
    elif still_open(services, action_id, value):
        blocks = list(message.get("blocks") or [])
    else:
        blocks = without_pressed(message.get("blocks") or [], action)
    line = outcome_line(services, action_id, value, actor)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": line}]})
    replaced = fit_reply({"text": message.get("text") or line, "blocks": blocks})
    later(context, RESPOND, replace_original=True, text=replaced["text"], blocks=replaced["blocks"])
