"""/cutover note issue|lesson <text>"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.plan.model import Runbook

USAGE = "note issue|lesson <text>"


def parse(plan: Runbook, words: Words) -> Args:
    """The category and the text are both required."""
    return {
        "category": words.choice(0, "the kind of note", ("issue", "lesson")),
        "text": words.rest(1, "the text"),
    }


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Record an issue or a lesson learned for the report."""
    events = ctx.engine.note(ctx.state, args["category"], args["text"])
    return Outcome(Reply("replies/noted.j2", {"category": args["category"]}), events)
