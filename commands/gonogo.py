"""/cutover go-nogo [go|no-go <reason>]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.plan import Runbook
from cutover.raci import Action

USAGE = "go-nogo [go|no-go <reason>]"


def parse(plan: Runbook, words: Words) -> Args:
    """No words: show the checklist. go|no-go <reason>: record the decision."""
    if not words.items:
        return {"decide": None}
    decision = words.choice(0, "the decision", ("go", "no-go"))
    return {"decide": decision, "reason": words.rest(1, "the reason")}


def action(args: Args) -> Action:
    """Reading the checklist is open to all; deciding is the Incident Commander's."""
    return Action("go_nogo") if args.get("decide") else Action("read")


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Show the go/no-go checklist, or record the GO / NO-GO decision."""
    checklist = ctx.services.extras.get("checklist")
    items = checklist(ctx) if checklist else []
    if args["decide"] is None:
        return Outcome(Reply("replies/gonogo_checklist.j2", {"state": ctx.state, "items": items}))
    events = ctx.engine.decide_go_nogo(ctx.state, args["decide"], args["reason"])
    return Outcome(Reply("replies/gonogo_decided.j2", {"decision": args["decide"], "reason": args["reason"],
                                                       "items": items}), events)
