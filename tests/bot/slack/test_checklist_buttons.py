"""The post-rollback checklist card: a Confirm button per item, for the item's role only, applied once.

Console scripts through the real Bolt app (signed requests): `click rollback_confirm_<n>` presses
item n's Confirm on the newest card showing it; the card is redrawn from the log (chat.update) as
items are confirmed, by button or typed.
"""

from __future__ import annotations

import copy

from tests.scenarios.console import DBA, IC, OPS, play
from tests.scenarios.test_post_rollback_checklist import R1_DONE

STRANGER = "U09STRANGER"


def _card(played) -> dict:
    [card] = played.posts(":clipboard: Every step of rollback R1 is done")
    return card


def _confirms(blocks: list) -> list[str]:
    return [b["accessory"]["action_id"] for b in blocks if b.get("accessory", {}).get("type") == "button"]


def _updates(played, ts: str) -> list[dict]:
    return [
        x["args"]
        for x in played.lines
        if x["type"] == "api" and x["method"] == "chat.update" and x["args"]["ts"] == ts
    ]


def _ts(played, card: dict) -> str:
    """The posted card's ts (as the recording Slack answered it)."""
    return next(m.ts for m in played.session.client.messages if m.text == card["text"] and m.user is None)


def test_the_checklist_card_has_a_confirm_button_per_item_and_is_redrawn_as_items_are_confirmed(plan, roster):
    played = play(plan, roster, R1_DONE)
    card = _card(played)
    assert _confirms(card["blocks"]) == [f"rollback_confirm_{n}" for n in range(1, 8)]  # unique action_ids
    played = play(plan, roster, f"@{OPS} click rollback_confirm_1\n", session=played.session)
    assert [(r.actor, r.event.item) for r in played.events("rollback.item_confirmed")] == [(OPS, 1)]
    answers = [x for x in played.lines if x["type"] == "reply"]  # privately, through the click's response_url
    assert answers[-1]["user"] == OPS and answers[-1]["command"] == "click rollback_confirm_1"
    assert "1. ARC State: East ON, West OFF confirmed" in answers[-1]["text"]
    [update] = _updates(played, _ts(played, card))
    assert "rollback_confirm_1" not in _confirms(update["blocks"]) and len(_confirms(update["blocks"])) == 6
    assert f"confirmed by <@{OPS}> at 03:" in update["blocks"][1]["text"]["text"]
    # typed confirmations redraw the card too
    played = play(plan, roster, f"@{DBA} /cutover rollback confirm 6 counts match\n", session=played.session)
    update = _updates(played, _ts(played, card))[-1]
    assert _confirms(update["blocks"]) == [f"rollback_confirm_{n}" for n in (2, 3, 4, 5, 7)]


def test_only_the_item_s_role_may_confirm_it(plan, roster):
    played = play(
        plan,
        roster,
        R1_DONE
        + f"@{STRANGER} click rollback_confirm_1\n@{DBA} click rollback_confirm_1\n@{IC} click rollback_confirm_6\n",
    )
    assert played.events("rollback.item_confirmed") == []
    answers = {
        x["user"]: x["text"]
        for x in played.lines
        if x["type"] == "reply" and x["command"].startswith("click")
    }
    assert answers[STRANGER].startswith(":lock: Not allowed")
    assert "Operations" in answers[DBA] and "Database Admin" in answers[IC]
    assert _updates(played, _ts(played, _card(played))) == []  # the card did not change


def test_a_double_click_on_confirm_records_one_confirmation(plan, roster):
    played = play(plan, roster, R1_DONE)
    session = played.session
    message, button = session.find_button(OPS, "rollback_confirm_2", "2")
    stale = copy.deepcopy(message)
    for stamp in ("7.000001", "7.000002"):  # both clicks left before the card was redrawn
        session.dispatch(
            session.requests.block_action(
                OPS,
                channel=stale.channel,
                message_ts=stale.ts,
                message={
                    "ts": stale.ts,
                    "text": stale.text,
                    "blocks": stale.blocks,
                    "thread_ts": stale.thread_ts,
                },
                action={"action_id": "rollback_confirm_2", "value": "2", "block_id": "checklist:2"},
                action_ts=stamp,
            )
        )
    played = play(plan, roster, "", session=session)
    assert [r.event.item for r in played.events("rollback.item_confirmed")] == [2]
    last = [e.data for e in session.transcript if e.type == "reply"][-1]
    assert last["user"] == OPS and "already confirmed" in last["text"]


def test_the_last_confirmation_completes_the_rollback_and_a_stale_card_changes_nothing(plan, roster):
    played = play(plan, roster, R1_DONE)
    session = played.session
    message, _ = session.find_button(IC, "rollback_confirm_7", "7")
    stale = copy.deepcopy(message)
    clicks = "".join(f"@{OPS} click rollback_confirm {n}\n" for n in range(1, 6))  # the script's short form
    played = play(
        plan,
        roster,
        clicks + f"@{DBA} click rollback_confirm_6\n@{IC} click rollback_confirm_7\n",
        session=session,
    )
    assert played.state.status == "rolled_back"
    final = _updates(played, _ts(played, _card(played)))[-1]
    assert _confirms(final["blocks"]) == []
    assert "rollback R1 is complete" in final["blocks"][-1]["elements"][0]["text"]
    seq = played.state.seq
    session.dispatch(  # the IC's client still showed item 7's button: the rollback has ended since
        session.requests.block_action(
            IC,
            channel=stale.channel,
            message_ts=stale.ts,
            message={
                "ts": stale.ts,
                "text": stale.text,
                "blocks": stale.blocks,
                "thread_ts": stale.thread_ts,
            },
            action={"action_id": "rollback_confirm_7", "value": "7", "block_id": "checklist:7"},
            action_ts="8.000001",
        )
    )
    assert session.services.ledger.current().seq == seq
    last = [e.data for e in session.transcript if e.type == "reply"][-1]
    assert last["user"] == IC and not last["text"].startswith(":warning: Something went wrong")
