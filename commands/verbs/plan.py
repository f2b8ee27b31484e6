"""/cutover plan [PHASE|STEP|GATE|R1|R2|R3]  (also `cutover-bot plan show`)"""

from __future__ import annotations

import re

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, nearest, step_id
from commands.verb import Args
from cutover.errors import BadArguments
from cutover.plan.model import Runbook

USAGE = "plan [PHASE|STEP|GATE|R1|R2|R3]"


def resolve(plan: Runbook, raw: str) -> Reply:
    """The reply that shows one part of the plan, named the way people name it."""
    text = raw.strip()
    upper = re.sub(r"(?i)^phase\s*", "", text).upper()
    if upper in plan.rollbacks_by_id:
        return Reply("replies/plan_rollback.j2", {"plan": plan, "r": plan.rollbacks_by_id[upper]})
    gate = re.fullmatch(r"(?i)(?:g|gate)\s*(\d+)", text)
    if gate and int(gate.group(1)) in plan.gates_by_number:
        return Reply("replies/plan_gate.j2", {"plan": plan, "gate": plan.gates_by_number[int(gate.group(1))]})
    steps = {sid.upper(): sid for sid in plan.steps_by_id}
    if upper in steps:
        sid = steps[upper]
        return Reply(
            "replies/plan_step.j2",
            {"plan": plan, "step": plan.steps_by_id[sid], "phase": plan.phase_of_step[sid]},
        )
    rsteps = {sid.upper(): sid for sid in plan.rollback_steps_by_id}
    if upper in rsteps:
        step = plan.rollback_steps_by_id[rsteps[upper]]
        owner = next(r for r in plan.rollbacks if step in r.steps)
        return Reply("replies/plan_rollback.j2", {"plan": plan, "r": owner})
    phases = {p.id.upper(): p for p in plan.phases}
    if upper in phases:
        phase = phases[upper]
        gates = [g for g in plan.gates if phase.id in g.after]
        return Reply("replies/plan_phase.j2", {"plan": plan, "phase": phase, "gates": gates})
    if re.fullmatch(r"(?i)(R?\d+[A-Z]?)\.\d+", text):
        step_id(plan, text, USAGE)  # raises with the phase's or procedure's real step ids
    names = [
        *plan.phases_by_id,
        *plan.steps_by_id,
        *(f"G{n}" for n in plan.gates_by_number),
        *plan.rollbacks_by_id,
    ]
    close = nearest(upper, [n.upper() for n in names])
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise BadArguments(
        f"nothing in the plan is called {raw!r}.{hint} Name a phase (1A), a step (1A.3), "
        f"a gate (G2) or a rollback (R1).",
        usage=USAGE,
    )


def overview(plan: Runbook) -> Reply:
    """The whole plan at a glance."""
    return Reply("replies/plan_overview.j2", {"plan": plan})


def parse(plan: Runbook, words: Words) -> Args:
    """An optional reference to one part of the plan."""
    return {"ref": words.rest(0)}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """The plan, or one phase, step, gate or rollback: procedure, commands, RACI, timeout."""
    return Outcome(resolve(ctx.plan, args["ref"]) if args["ref"] else overview(ctx.plan))
