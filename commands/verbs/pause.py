"""/cutover pause <reason>  and  /cutover resume"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.plan.model import Runbook

USAGE = "pause <reason>"
RESUME_USAGE = "resume"


def parse(plan: Runbook, words: Words) -> Args:
    """The reason is required: people reading the thread need it."""
    return {"reason": words.rest(0, "the reason")}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Pause the cutover: escalation clocks stop (the time still counts as downtime)."""
    events = ctx.engine.pause(ctx.state, args["reason"])
    return Outcome(Reply("replies/paused.j2", {"reason": args["reason"]}), events)


def handle_resume(ctx: Ctx, args: Args) -> Outcome:
    """Resume a paused cutover."""
    paused_since = ctx.state.paused_since if ctx.state else None
    events = ctx.engine.resume(ctx.state)
    return Outcome(
        Reply("replies/resumed.j2", {"paused_for": ctx.now - paused_since if paused_since else None}), events
    )
