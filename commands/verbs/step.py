"""/cutover step start|done|fail <ID> [note]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, step_id
from commands.verb import Args
from cutover import events as ev
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "step start|done|fail <ID> [note]"


def parse(plan: Runbook, words: Words) -> Args:
    """What happened, to which step, and an optional note (required when it failed)."""
    outcome = words.choice(0, "what happened", ("start", "done", "fail"))
    sid = step_id(plan, words.get(1, "the step id (e.g. 1A.1)"), USAGE)
    note = words.rest(2, "what failed" if outcome == "fail" else None)
    return {"outcome": outcome, "step": sid, "note": note}


def action(args: Args) -> Action:
    """Only the step's R role may start, finish or fail it."""
    return Action("step", args["step"])


def examples(plan: Runbook) -> list[Action]:
    """Any step counts for the help listing."""
    return [Action("step", s) for s in [*plan.steps_by_id, *plan.rollback_steps_by_id]]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Record that a step started, is done, or failed."""
    sid, note = args["step"], args["note"]
    decide = {"start": ctx.engine.step_start, "done": ctx.engine.step_done, "fail": ctx.engine.step_fail}
    events = decide[args["outcome"]](ctx.state, sid, note)
    step = ctx.plan.steps_by_id.get(sid) or ctx.plan.rollback_steps_by_id[sid]
    opened = [e.gate for e in events if isinstance(e, ev.GateOpened)]
    checklist = next((e.procedure for e in events if isinstance(e, ev.RollbackChecklistOpened)), None)
    return Outcome(
        Reply(
            "replies/step_recorded.j2",
            {
                "outcome": args["outcome"],
                "step": step,
                "note": note,
                "gates_opened": opened,
                "checklist": ctx.plan.rollbacks_by_id[checklist] if checklist else None,
                "switching": ctx.state.switching if ctx.state is not None else False,
                "rollback_step": sid in ctx.plan.rollback_steps_by_id,
            },
        ),
        events,
    )
