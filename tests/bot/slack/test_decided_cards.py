"""A card whose decision was made by typing (or elsewhere) is redrawn from the log: who decided, when, no buttons.

Through the real Bolt app with signed requests (SlackSession): gate cards and the cards asking for the
rollback decision are updated with chat.update through the outbox, once per decision.
"""

from __future__ import annotations

import copy
import json

from bot.slack.emulator.workspace import Message
from tests.support.cards import press
from tests.support.slack_bot import DBA, IC, OPS

STRANGER = "U09STRANGER"


def _buttons(blocks: list) -> list[str]:
    return [e["action_id"] for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def _gate1_open(bot) -> Message:
    """Phase 0 done by typing; the Gate 1 card as it was shown (a copy, to press it later)."""
    bot.to_started()
    for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
        bot.run(f"step start {step}", as_user=who)
        bot.run(f"step done {step}", as_user=who)
    message, _ = bot.session.find_button(IC, "gate_approve", "1")
    return copy.deepcopy(message)


def _shown(bot, card: Message) -> Message:
    """The message as the channel shows it now."""
    return next(m for m in bot.session.client.messages if m.ts == card.ts)


def _updates(bot, card: Message) -> list[dict]:
    return [u for u in bot.posted("chat.update") if u["ts"] == card.ts]


def test_a_typed_approval_takes_the_buttons_off_the_gate_card_and_says_who_and_when(cutover_bot):
    card = _gate1_open(cutover_bot)
    assert _buttons(card.blocks) == ["gate_approve", "gate_reject"]
    cutover_bot.advance(minutes=2)
    cutover_bot.run("gate approve 1", as_user=IC)
    now = cutover_bot.session.clock.now()
    [update] = _updates(cutover_bot, card)  # one update for one decision
    assert _buttons(update["blocks"]) == []
    assert f"Approved by <@{IC}> (Incident Commander) at {now:%H:%M} UTC" in json.dumps(update["blocks"])
    assert "Gate 1" in update["blocks"][0]["text"]["text"]  # the card still says what it was about
    assert _buttons(_shown(cutover_bot, card).blocks) == []  # nobody sees a live-looking card any more
    cutover_bot.run("step start 1B.1", as_user=DBA)  # later work: the card is not touched again
    cutover_bot.run("status", as_user=IC)
    assert len(_updates(cutover_bot, card)) == 1


def test_a_click_on_the_old_card_after_a_typed_approval_is_answered_politely_and_changes_nothing(cutover_bot):
    card = _gate1_open(cutover_bot)
    cutover_bot.run("gate approve 1", as_user=IC)
    seq, updates, replaced = (
        cutover_bot.state.seq,
        len(cutover_bot.posted("chat.update")),
        len(cutover_bot.cards()),
    )
    press(cutover_bot, IC, card, "gate_approve", "1", "3.000001")  # the IC's client still showed the buttons
    assert cutover_bot.state.seq == seq
    answer = cutover_bot.answers()[-1]
    assert answer["user"] == IC and "Gate 1 is already approved" in answer["text"]
    assert not answer["text"].startswith(":warning: Something went wrong")
    assert len(cutover_bot.posted("chat.update")) == updates and len(cutover_bot.cards()) == replaced
    assert _buttons(_shown(cutover_bot, card).blocks) == []


def test_a_gate_rejected_by_command_loses_its_buttons_and_says_who_and_why(cutover_bot):
    card = _gate1_open(cutover_bot)
    cutover_bot.run("gate reject 1 lag on the West replica", as_user=IC)
    [update] = _updates(cutover_bot, card)
    assert _buttons(update["blocks"]) == []
    said = json.dumps(update["blocks"])
    assert f"Rejected by <@{IC}> at " in said and "lag on the West replica" in said
    # approved later by typing (green again): the card says so, still without buttons
    cutover_bot.run("gate approve 1", as_user=IC)
    last = _updates(cutover_bot, card)[-1]
    assert _buttons(last["blocks"]) == [] and f"Approved by <@{IC}>" in json.dumps(last["blocks"])


def test_a_stranger_s_refused_approval_changes_nothing_on_the_card(cutover_bot):
    card = _gate1_open(cutover_bot)
    cutover_bot.run("gate approve 1", as_user=STRANGER)
    assert _updates(cutover_bot, card) == []
    assert _buttons(_shown(cutover_bot, card).blocks) == ["gate_approve", "gate_reject"]


def test_a_typed_rollback_order_takes_the_buttons_off_the_decision_card(cutover_bot):
    _gate1_open(cutover_bot)
    cutover_bot.run("gate approve 1", as_user=IC)
    cutover_bot.run("step start 1B.1", as_user=DBA)
    cutover_bot.run("step fail 1B.1 writer did not move", as_user=DBA)
    message, _ = cutover_bot.session.find_button(IC, "abort", "cutover")
    card = copy.deepcopy(message)
    assert "abort" in _buttons(card.blocks) and any(b.startswith("rollback_R") for b in _buttons(card.blocks))
    cutover_bot.run("rollback R2 DocumentDB writer stuck in West", as_user=IC)
    assert cutover_bot.state.status == "rolling_back"
    [update] = _updates(cutover_bot, card)
    assert _buttons(update["blocks"]) == []  # no Roll back R1/R2/R3, no Abort
    assert update["blocks"][-1]["elements"][0]["text"].startswith(
        f":rewind: Rollback R2 ordered by <@{IC}> at "
    )
    assert "writer did not move" in json.dumps(update["blocks"])  # the failure it decided on is still there
    assert _buttons(_shown(cutover_bot, card).blocks) == []
    seq = cutover_bot.state.seq  # the old card pressed afterwards: refused politely, nothing changes
    press(cutover_bot, IC, card, "abort", "cutover", "4.000001")
    cutover_bot.session.dispatch(
        cutover_bot.session.requests.view_submission(
            IC,
            list(cutover_bot.session.client.views.values())[-1],
            {"reason": {"reason_input": {"type": "plain_text_input", "value": "changed my mind"}}},
        )
    )
    assert cutover_bot.state.seq == seq and cutover_bot.state.status == "rolling_back"
    assert "this decision is already made: rollback R2 was ordered by" in cutover_bot.answers()[-1]["text"]
    assert len(_updates(cutover_bot, card)) == 1
