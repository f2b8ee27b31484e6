"""/cutover validate [override <reason>]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from commands.verbs.integrity_common import require_cutover, start_job
from cutover.errors import InvalidTransition
from cutover.integrity import events as ie
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "validate [show | override <reason>]"


def parse(plan: Runbook, words: Words) -> Args:
    """No words: validate now against the baseline; `show`: the last result; `override <reason>`: unblock Gate 5."""
    if not words.items:
        return {"mode": "run"}
    mode = words.choice(0, "the action", ("show", "override"))
    return {"mode": mode, "reason": words.rest(1, "the reason") if mode == "override" else ""}


def action(args: Args) -> Action:
    """Running is for the data step's owners and the IC; overriding a failure is the Incident Commander's."""
    return {"run": Action("validate"), "show": Action("read"), "override": Action("validate_override")}[
        args["mode"]
    ]


def examples(plan: Runbook) -> list[Action]:
    """The dry-run actions `/cutover help` checks."""
    return [Action("validate"), Action("validate_override")]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Validate the data against the baseline (no count may drop, lag < 1,000), or override a failed validation."""
    state = require_cutover(ctx)
    integrity = state.integrity
    if args["mode"] == "override":
        if integrity.validation is None or integrity.validation["passed"]:
            raise InvalidTransition("there is no failed validation to override")
        if integrity.validation_override is not None:
            raise InvalidTransition(
                f"the failed validation was already overridden by <@{integrity.validation_override.actor}>"
            )
        return Outcome(
            Reply(
                "integrity/validation_overridden.j2",
                {"reason": args["reason"], "validation": integrity.validation},
            ),
            [ie.ValidationOverridden(reason=args["reason"])],
        )
    if args["mode"] == "run":
        started = start_job(ctx, "validate")
        return Outcome(Reply("integrity/job_started.j2", {"job": "validation", "started": started}))
    return Outcome(
        Reply(
            "integrity/validation.j2",
            {
                "validation": integrity.validation,
                "at": integrity.validation_at,
                "override": integrity.validation_override,
                "duties": ctx.plan.duty_titles,
                "final_gates": [g.number for g in ctx.plan.final_gates],
                "data_step": ctx.plan.data_step.id if ctx.plan.data_step else None,
            },
        )
    )
