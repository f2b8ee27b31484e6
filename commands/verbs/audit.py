"""/cutover audit verify"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.log_guard import fail
from commands.parsing import Words
from commands.verb import Args
from cutover.plan.model import Runbook
from storage import eventlog

USAGE = "audit verify"


def parse(plan: Runbook, words: Words) -> Args:
    """The only audit action is verify."""
    words.choice(0, "the audit action", ("verify",))
    return {}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Verify the hash chain of the cutover's log; name the first changed row."""
    if ctx.state is None:
        return Outcome(Reply("replies/no_cutover.j2", {"duties": ctx.plan.duty_titles}))
    result = eventlog.verify(engine=ctx.services.ledger.db, cutover_id=ctx.state.cutover_id)
    if not result.ok:
        fail(ctx.services, result)  # read-only from now on
    return Outcome(Reply("replies/audit.j2", {"result": result}))
