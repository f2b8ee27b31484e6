"""/cutover start"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args

USAGE = "start"


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Start the cutover (after GO): Phase 0 opens."""
    events = ctx.engine.start(ctx.state)
    first = ctx.plan.stages[0]
    return Outcome(Reply("replies/started.j2", {"phases": first}), events)
