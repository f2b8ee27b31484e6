"""What the bot says for the domain's reason codes, for tests that check the words people read."""

from __future__ import annotations

from templates.render import environment


def check(item: dict) -> str:
    """A data validation item's reason as the bot words it."""
    return str(environment().get_template("integrity/_words.j2").module.check(item))


def difference(diff: dict) -> str:
    """An East/West reconciliation difference as the bot words it."""
    return str(environment().get_template("integrity/_words.j2").module.difference(diff))
