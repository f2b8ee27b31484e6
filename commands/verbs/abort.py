"""/cutover abort <reason>"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.plan.model import Runbook

USAGE = "abort <reason>"


def parse(plan: Runbook, words: Words) -> Args:
    """The reason is required."""
    return {"reason": words.rest(0, "the reason")}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Abort the cutover."""
    events = ctx.engine.abort(ctx.state, args["reason"])
    return Outcome(Reply("replies/aborted.j2", {"reason": args["reason"]}), events)
