"""/cutover rollback R1|R2|R3 <reason> | approve [note] | object <reason> | confirm <item>|all [note]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, rollback_id
from commands.verb import Args
from cutover import events as ev
from cutover.decisions import recommend
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "rollback R1|R2|R3 <reason> | rollback approve [note] | rollback object <reason> | rollback confirm <item>|all [note]"
VERDICTS = ("approve", "object")


def parse(plan: Runbook, words: Words) -> Args:
    """The procedure and the reason are both required; or Management's approve [note] / object <reason>."""
    first = words.items[0].lower() if words.items else ""
    if first == "confirm":
        return {"confirm": words.get(1, "the checklist item number (or all)").lower(), "note": words.rest(2)}
    if first in VERDICTS:  # a button names the procedure it was posted for: a stale one is refused
        named = words.items[1].upper() if len(words.items) > 1 else ""
        at = 2 if named in plan.rollbacks_by_id else 1
        note = words.rest(at, "the reason for the objection" if first == "object" else None)
        return {"verdict": first, "procedure": named if at == 2 else "", "note": note}
    return {
        "procedure": rollback_id(plan, words.get(0, "the procedure (R1, R2 or R3)"), USAGE),
        "reason": words.rest(1, "the reason"),
    }


def action(args: Args) -> Action:
    """Ordering R3 is allowed to more roles than R1 and R2; approving is for the roles the runbook asks."""
    if "verdict" in args:
        return Action("rollback_approval")
    if "confirm" in args:
        return Action("rollback_confirm")
    return Action("rollback", args["procedure"])


def examples(plan: Runbook) -> list[Action]:
    """Any procedure counts for the help listing."""
    asked = [Action("rollback_approval")] if plan.authority.rollback_approval else []
    return [*(Action("rollback", r.id) for r in plan.rollbacks), *asked]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Order a rollback procedure (its steps follow in order), or approve / object to the one ordered."""
    if "confirm" in args:
        roles = ctx.roster.roles_of(ctx.actor)
        events = ctx.engine.rollback_confirm(ctx.state, args["confirm"], roles, args["note"])
        run = ctx.state.rollback if ctx.state is not None else None  # the engine refused any other case
        procedure = ctx.plan.rollbacks_by_id[run.procedure if run else ""]
        confirmed = [e.item for e in events if isinstance(e, ev.RollbackItemConfirmed)]
        done = set(run.confirmed if run else []) | set(confirmed)
        return Outcome(
            Reply(
                "replies/rollback_confirmed.j2",
                {
                    "procedure": procedure,
                    "confirmed": confirmed,
                    "roles": ctx.plan.roles,
                    "left": [n for n in range(1, len(procedure.validation) + 1) if n not in done],
                    "completed": any(isinstance(e, ev.RollbackCompleted) for e in events),
                },
            ),
            events,
        )
    if "verdict" in args:
        roles = ctx.roster.roles_of(ctx.actor)
        events = ctx.engine.rollback_approval(
            ctx.state, args["verdict"], ctx.actor, roles, args["note"], args["procedure"]
        )
        return Outcome(Reply("replies/rollback_approval.j2", {"e": events[0]}), events)
    advice = recommend(ctx.state, ctx.plan) if ctx.state and ctx.state.seq else None
    recommended = advice.rollback if advice and advice.rollback else ""
    events = ctx.engine.rollback(ctx.state, args["procedure"], args["reason"], recommended)
    procedure = ctx.plan.rollbacks_by_id[args["procedure"]]
    return Outcome(
        Reply(
            "replies/rollback_ordered.j2",
            {"procedure": procedure, "reason": args["reason"], "recommended": recommended},
        ),
        events,
    )
