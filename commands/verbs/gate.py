"""/cutover gate approve|reject <N> [reason]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, gate_number
from commands.verb import Args
from cutover import events as ev
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "gate approve|reject <N> [reason]"


def parse(plan: Runbook, words: Words) -> Args:
    """Approve or reject which gate; a rejection needs a reason."""
    verdict = words.choice(0, "the verdict", ("approve", "reject"))
    number = gate_number(plan, words.get(1, "the gate number (e.g. 2)"), USAGE)
    reason = words.rest(2, "the reason for rejecting" if verdict == "reject" else None)
    return {"verdict": verdict, "gate": number, "reason": reason}


def action(args: Args) -> Action:
    """Only the gate's approver roles may approve or reject it."""
    return Action("gate", str(args["gate"]))


def examples(plan: Runbook) -> list[Action]:
    """Any gate counts for the help listing."""
    return [Action("gate", str(n)) for n in plan.gates_by_number]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Approve or reject a validation gate."""
    roles = ctx.roster.roles_of(ctx.actor)
    if args["verdict"] == "approve":
        events = ctx.engine.gate_approve(ctx.state, args["gate"], ctx.actor, roles, args["reason"])
    else:
        events = ctx.engine.gate_reject(ctx.state, args["gate"], roles, args["reason"])
    gate = ctx.plan.gates_by_number[args["gate"]]
    approval = next((e for e in events if isinstance(e, ev.GateApproved)), None)
    stage = next((e.stage for e in events if isinstance(e, ev.StageOpened)), None)
    opened = [p for p in ctx.plan.phases if p.stage == stage] if stage is not None else []
    return Outcome(
        Reply(
            "replies/gate_recorded.j2",
            {
                "verdict": args["verdict"],
                "gate": gate,
                "reason": args["reason"],
                "approval": approval,
                "opened_phases": opened,
                "succeeded": any(isinstance(e, ev.CutoverSucceeded) for e in events),
                "switching": ctx.state.switching if ctx.state is not None else False,
            },
        ),
        events,
    )
