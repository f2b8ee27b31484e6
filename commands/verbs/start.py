"""/cutover start"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args
from cutover.integrity.start_time import check_start, start_items
from cutover.state import Status

USAGE = "start"


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Start the cutover (after GO): Phase 0 opens."""
    state = ctx.state
    if state is not None and state.status == Status.GO:
        check_start(start_items(ctx.plan, state.window_start, ctx.now), state.integrity, ctx.plan)
    events = ctx.engine.start(state)
    first = ctx.plan.stages[0]
    return Outcome(Reply("replies/started.j2", {"phases": first}), events)
