"""A pressed card says who did what and when, loses its spent buttons, and a stale one changes nothing.

Through the real Bolt app with signed requests (SlackSession): the click's answer goes to the
clicker through its response_url in the card's thread, and the card is replaced there too.
"""

from __future__ import annotations

import copy
import json

from bot.slack.announcer import parent_name
from bot.slack.emulator.workspace import Message
from tests.support.cards import press
from tests.support.slack_bot import DBA, IC, MGMT, OPS

STRANGER = "U09STRANGER"


def _buttons(blocks: list) -> list[str]:
    return [e["action_id"] for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def _card_with(bot, action_id: str, value: str) -> Message:
    """A copy of the newest card showing this button, as it stands now (to press it again later)."""
    message, _ = bot.session.find_button(IC, action_id, value)
    return copy.deepcopy(message)


def _gate1_open(bot) -> None:
    bot.to_started()
    for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
        bot.run(f"step start {step}", as_user=who)
        bot.run(f"step done {step}", as_user=who)


def test_approving_a_gate_from_its_card_replaces_the_card_and_answers_in_the_thread(cutover_bot):
    _gate1_open(cutover_bot)
    cutover_bot.advance(minutes=3)  # 01:03 UTC
    card = _card_with(cutover_bot, "gate_approve", "1")
    shown = cutover_bot.click("gate_approve", "1", as_user=IC)
    assert shown and "Gate 1" in shown[0]
    answer = cutover_bot.answers()[-1]
    assert (answer["user"], answer["command"], answer["response_type"]) == (
        IC,
        "click gate_approve",
        "ephemeral",
    )
    parent = cutover_bot.services.outbox.ts(parent_name(cutover_bot.state.cutover_id))
    assert (
        cutover_bot.session.client.messages[-1].thread_ts == parent
    )  # the answer sits in the cutover's thread
    assert cutover_bot.posted("chat.postEphemeral") == []  # nothing lands in the channel's root
    replaced = cutover_bot.cards()[-1]
    assert replaced["ts"] == card.ts and replaced["replace_original"] is True
    assert _buttons(replaced["blocks"]) == []  # Approve and Reject are spent
    assert replaced["blocks"][-1]["elements"][0]["text"] == (
        f":white_check_mark: Approved by <@{IC}> at {cutover_bot.session.clock.now():%H:%M} UTC"
    )
    assert "Gate 1" in json.dumps(replaced["blocks"][0])  # the card still says what it was about
    shown_now = next(m for m in cutover_bot.session.client.messages if m.ts == card.ts)
    assert _buttons(shown_now.blocks) == []  # nobody sees a spent button any more


def test_a_double_click_on_a_spent_card_is_answered_politely_and_changes_nothing(cutover_bot):
    _gate1_open(cutover_bot)
    card = _card_with(cutover_bot, "gate_approve", "1")
    press(cutover_bot, IC, card, "gate_approve", "1", "1.000001")
    seq, replaced = cutover_bot.state.seq, len(cutover_bot.cards())
    press(cutover_bot, IC, card, "gate_approve", "1", "1.000002")  # the second click of a double click
    assert cutover_bot.state.seq == seq
    assert len(cutover_bot.cards()) == replaced  # the card is not replaced again
    answer = cutover_bot.answers()[-1]
    assert answer["user"] == IC and "Gate 1 is already approved" in answer["text"]
    assert not answer["text"].startswith(":warning: Something went wrong")
    assert [r.event.kind for r in _history(cutover_bot)].count("gate.approved") == 1


def test_a_gate_waiting_for_another_role_keeps_its_buttons_and_says_who_approved(cutover_bot):
    _gate1_open(cutover_bot)
    gate5 = cutover_bot.services.plan.gates_by_number[5]
    assert gate5.approval == "all" and len(gate5.approvers) == 2  # Gate 5: IC and Management, two people
    _to_gate5(cutover_bot)
    cutover_bot.click("gate_approve", "5", as_user=IC)
    first = cutover_bot.cards()[-1]
    assert _buttons(first["blocks"]) == ["gate_approve", "gate_reject"]  # Management still approves here
    assert f"Approved by <@{IC}>" in first["blocks"][-1]["elements"][0]["text"]
    cutover_bot.click("gate_approve", "5", as_user=MGMT)
    last = cutover_bot.cards()[-1]
    assert _buttons(last["blocks"]) == []
    assert cutover_bot.state.status == "succeeded"


def test_ordering_a_rollback_from_the_decision_card_removes_its_rollback_buttons(cutover_bot):
    _gate1_open(cutover_bot)
    cutover_bot.run("gate approve 1", as_user=IC)
    cutover_bot.run("step start 1B.1", as_user=DBA)
    cutover_bot.run("step fail 1B.1 writer did not move", as_user=DBA)
    card = _card_with(cutover_bot, "abort", "cutover")
    assert {"rollback", "abort"} <= {a.split("_")[0] for a in _buttons(card.blocks)}
    value = next(
        e["value"]
        for b in card.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
        if "R2" in e["value"]
    )
    rollback_button = next(
        e["action_id"]
        for b in card.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["value"] == value
    )
    shown = cutover_bot.click(rollback_button, value, as_user=IC, reason="DocumentDB writer stuck in West")
    assert cutover_bot.state.status == "rolling_back" and cutover_bot.state.rollback.procedure == "R2"
    assert shown and cutover_bot.answers()[-1]["command"] == f"click {rollback_button}"
    replaced = cutover_bot.cards()[-1]
    assert replaced["ts"] == card.ts
    assert _buttons(replaced["blocks"]) == []  # no Roll back R1/R2/R3, no Abort
    assert replaced["blocks"][-1]["elements"][0]["text"].startswith(
        f":rewind: Rollback R2 ordered by <@{IC}> at "
    )
    assert "writer did not move" in json.dumps(replaced["blocks"])  # the failure it decided on is still there
    # the stale decision card pressed again (another replica showed it): refused, nothing changes
    seq = cutover_bot.state.seq
    press(cutover_bot, IC, card, "abort", "cutover", "9.000001")
    cutover_bot.session.dispatch(
        cutover_bot.session.requests.view_submission(
            IC,
            list(cutover_bot.session.client.views.values())[-1],
            {"reason": {"reason_input": {"type": "plain_text_input", "value": "changed my mind"}}},
        )
    )
    assert cutover_bot.state.seq == seq and cutover_bot.state.status == "rolling_back"
    assert "this decision is already made: rollback R2 was ordered by" in cutover_bot.answers()[-1]["text"]


def test_a_stranger_pressing_a_card_is_refused_privately_and_the_card_keeps_its_buttons(cutover_bot):
    _gate1_open(cutover_bot)
    cards = len(cutover_bot.cards())
    shown = cutover_bot.click("gate_approve", "1", as_user=STRANGER)
    assert shown[0].startswith(":lock: Not allowed")
    assert len(cutover_bot.cards()) == cards
    assert cutover_bot.session.find_button(IC, "gate_approve", "1")  # still there for the approvers


def test_a_card_of_an_ended_cutover_changes_nothing_in_the_next_one(cutover_bot):
    _gate1_open(cutover_bot)
    card = _card_with(cutover_bot, "gate_approve", "1")
    cutover_bot.run("abort wrong window", as_user=IC)
    first = cutover_bot.state.cutover_id
    cutover_bot.to_started()  # a second cutover, with its own Gate 1 to come
    for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
        cutover_bot.run(f"step start {step}", as_user=who)
        cutover_bot.run(f"step done {step}", as_user=who)
    second = cutover_bot.state
    assert second.cutover_id != first and second.gate(1).status == "open"
    press(cutover_bot, IC, card, "gate_approve", "1", "5.000001")  # the old cutover's card
    assert cutover_bot.state.gate(1).status == "open" and cutover_bot.state.seq == second.seq
    answer = cutover_bot.answers()[-1]
    assert "belongs to an earlier cutover" in answer["text"] and second.cutover_id in answer["text"]


def _to_gate5(bot) -> None:
    """Gate 1 approved by typing, then every step and gate up to Gate 5 done by their people."""
    bot.run("gate approve 1", as_user=IC)
    plan = bot.services.plan
    for phase in [p for p in plan.phases if p.stage > 0]:
        for step in phase.steps:
            who = bot.person(step.raci.R[0])
            bot.ok(f"step start {step.id}", as_user=who)
            bot.ok(f"step done {step.id}", as_user=who)
        for gate in plan.gates:
            if bot.state.gate(gate.number).status == "open" and gate.number != 5:
                bot.ok(f"gate approve {gate.number}", as_user=IC)


def _history(bot):
    from storage import eventlog

    return eventlog.history(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)
