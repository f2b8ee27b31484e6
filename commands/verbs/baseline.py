"""/cutover baseline [capture]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from commands.verbs.integrity_common import require_cutover, start_job
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "baseline [capture]"


def parse(plan: Runbook, words: Words) -> Args:
    """No words: show the latest baseline; `capture`: take a new one."""
    if not words.items:
        return {"capture": False}
    words.choice(0, "the action", ("capture",))
    return {"capture": True}


def action(args: Args) -> Action:
    """Showing is open to all; capturing is for the data step's owners and the Incident Commander."""
    return Action("baseline_capture") if args["capture"] else Action("read")


def examples(plan: Runbook) -> list[Action]:
    """The dry-run action `/cutover help` checks."""
    return [Action("baseline_capture")]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Show the latest data baseline, or capture one (MSK, DocumentDB, S3, metrics) and archive it to S3."""
    state = require_cutover(ctx)
    if args["capture"]:
        started = start_job(ctx, "baseline")
        return Outcome(Reply("integrity/job_started.j2", {"job": "baseline capture", "started": started}))
    return Outcome(
        Reply(
            "integrity/baseline.j2", {"baseline": state.integrity.baseline, "at": state.integrity.baseline_at}
        )
    )
