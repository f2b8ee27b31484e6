"""/cutover rollback R1|R2|R3 <reason>"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, rollback_id
from commands.verb import Args
from cutover.decisions import recommend
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "rollback R1|R2|R3 <reason>"


def parse(plan: Runbook, words: Words) -> Args:
    """The procedure and the reason are both required."""
    return {
        "procedure": rollback_id(plan, words.get(0, "the procedure (R1, R2 or R3)"), USAGE),
        "reason": words.rest(1, "the reason"),
    }


def action(args: Args) -> Action:
    """Ordering R3 is allowed to more roles than R1 and R2."""
    return Action("rollback", args["procedure"])


def examples(plan: Runbook) -> list[Action]:
    """Any procedure counts for the help listing."""
    return [Action("rollback", r.id) for r in plan.rollbacks]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Order a rollback procedure; its steps follow in order."""
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
