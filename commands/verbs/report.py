"""/cutover report [cutover-id]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.errors import BadArguments
from cutover.plan.model import Runbook
from cutover.report.events import ReportRequested

USAGE = "report [cutover-id]"


def parse(plan: Runbook, words: Words) -> Args:
    """An optional cutover id (default: the current cutover)."""
    if len(words.items) > 1:
        raise BadArguments("`report` takes at most one cutover id", usage=words.usage)
    return {"cutover": words.items[0] if words.items else None}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Write the post-cutover report from the log and post it in the cutover thread."""
    cutover_id = args["cutover"] or (ctx.state.cutover_id if ctx.state else None)
    if cutover_id is None:
        return Outcome(Reply("replies/no_cutover.j2", {"duties": ctx.plan.duty_titles}))
    known = ctx.services.ledger.ids()
    if cutover_id not in known:
        raise BadArguments(
            f"there is no cutover {cutover_id!r} (cutovers: {', '.join(known) or 'none'})", usage=USAGE
        )
    if ctx.services.reports is None:
        return Outcome(Reply("report/unavailable.j2", {"cutover_id": cutover_id}))
    readers = [r for r in ctx.plan.summary_roles if ctx.roster.members_of(r)]
    summary = ctx.plan.titles(readers) if ctx.services.outbox is not None else []
    reply = Reply("report/requested.j2", {"cutover_id": cutover_id, "summary_to": summary})
    if ctx.state is not None and cutover_id != ctx.state.cutover_id:
        # an earlier cutover: its log is not the one this command appends to, so ask the worker directly
        ctx.services.reports.request(cutover_id, key=f"report:{cutover_id}:{ctx.now.isoformat()}")
        return Outcome(reply)
    return Outcome(reply, [ReportRequested(cutover_id=cutover_id)])
