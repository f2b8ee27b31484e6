"""Verbs whose features have not landed yet answer so, instead of failing."""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Not available yet in this version of the bot."""
    return Outcome(Reply("replies/not_available.j2", {"verb": args.get("verb", "")}))
