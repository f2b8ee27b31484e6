"""/cutover status"""

from __future__ import annotations

from datetime import datetime

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args
from cutover.plan.model import Runbook
from cutover.progress import dashboard
from cutover.state import CutoverState

USAGE = "status"

# Many people ask for the status at once during a cutover: one state at one second has one answer.
# The last one is kept with the state and plan objects it came from (a state handed out never changes),
# and it is the same Reply object, so that its rendered text can be reused too (bot/slack/listeners/common.py).
_last: tuple[CutoverState, Runbook, datetime, Reply] | None = None


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Where the cutover stands: phase, step, time elapsed and remaining, open gates."""
    if ctx.state is None:
        return Outcome(Reply("replies/no_cutover.j2", {"duties": ctx.plan.duty_titles}))
    return Outcome(_status(ctx.state, ctx.plan, ctx.now))


def _status(state: CutoverState, plan: Runbook, now: datetime) -> Reply:
    """The status as of the whole second (it shows seconds), computed once per state and second."""
    global _last
    second = now.replace(microsecond=0)
    last = _last
    if last is not None and last[0] is state and last[1] is plan and last[2] == second:
        return last[3]
    reply = Reply("replies/status.j2", {"d": dashboard(state, plan, second), "plan": plan})
    _last = (state, plan, second, reply)
    return reply
