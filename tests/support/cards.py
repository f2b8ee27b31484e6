"""Pressing a button on a card as a person saw it earlier: a stale copy, when the card was redrawn since."""

from __future__ import annotations

from bot.slack.emulator.workspace import Message


def press(bot, user: str, card: Message, action_id: str, value: str, stamp: str) -> None:
    """This user presses a button on this card as it was shown (a stale copy, when it was redrawn since)."""
    session = bot.session
    block_id = next(
        b.get("block_id", "")
        for b in card.blocks
        if b.get("type") == "actions" and any(e["action_id"] == action_id for e in b["elements"])
    )
    message = {"ts": card.ts, "text": card.text, "blocks": card.blocks, "thread_ts": card.thread_ts}
    session.dispatch(
        session.requests.block_action(
            user,
            channel=card.channel,
            message_ts=card.ts,
            message=message,
            action={"action_id": action_id, "value": value, "block_id": block_id},
            action_ts=stamp,
        )
    )
