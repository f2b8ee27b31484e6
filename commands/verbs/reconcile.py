"""/cutover reconcile [show]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from commands.verbs.integrity_common import require_cutover, start_job
from cutover.plan.model import Runbook
from cutover.raci import Action

USAGE = "reconcile [show]"


def parse(plan: Runbook, words: Words) -> Args:
    """No words: reconcile East and West now; `show`: the last result."""
    if not words.items:
        return {"show": False}
    words.choice(0, "the action", ("show",))
    return {"show": True}


def action(args: Args) -> Action:
    """Showing is open to all; running is for the data step's owners and the Incident Commander."""
    return Action("read") if args["show"] else Action("reconcile")


def examples(plan: Runbook) -> list[Action]:
    """The dry-run action `/cutover help` checks."""
    return [Action("reconcile")]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Reconcile East and West (MSK counts within 0.1%, DocumentDB and S3 identical), or show the last result."""
    state = require_cutover(ctx)
    if not args["show"]:
        started = start_job(ctx, "reconcile")
        return Outcome(Reply("integrity/job_started.j2", {"job": "reconciliation", "started": started}))
    return Outcome(
        Reply(
            "integrity/reconciliation.j2",
            {"reconciliation": state.integrity.reconciliation, "at": state.integrity.reconciliation_at},
        )
    )
