"""/cutover help"""

from __future__ import annotations

from collections.abc import Iterable

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args, Verb
from cutover.raci import may

USAGE = "help"


def handle(ctx: Ctx, args: Args, verbs: Iterable[Verb]) -> Outcome:
    """Every verb of the table (commands/table.py hands it in) with its usage; the ones your roles do not allow are marked."""
    rows = []
    for verb in verbs:
        allowed = any(may(ctx.actor, a, ctx.plan, ctx.roster).allowed for a in verb.examples(ctx.plan))
        rows.append({"usage": verb.usage, "help": verb.help, "allowed": allowed})
    return Outcome(Reply("replies/help.j2", {"rows": rows, "roles": ctx.roster.roles_of(ctx.actor)}))
