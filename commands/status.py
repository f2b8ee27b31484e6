"""/cutover status"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args
from cutover.progress import dashboard

USAGE = "status"


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Where the cutover stands: phase, step, time elapsed and remaining, open gates."""
    if ctx.state is None:
        return Outcome(Reply("replies/no_cutover.j2"))
    return Outcome(Reply("replies/status.j2", {"d": dashboard(ctx.state, ctx.plan, ctx.now), "plan": ctx.plan}))
