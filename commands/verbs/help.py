"""/cutover help"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args
from cutover.raci import may

USAGE = "help"


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Every verb with its usage; the ones your roles do not allow are marked."""
    from commands.table import VERBS  # the table imports this module

    rows = []
    for verb in VERBS.values():
        allowed = any(may(ctx.actor, a, ctx.plan, ctx.roster).allowed for a in verb.examples(ctx.plan))
        rows.append({"usage": verb.usage, "help": verb.help, "allowed": allowed})
    return Outcome(Reply("replies/help.j2", {"rows": rows, "roles": ctx.roster.roles_of(ctx.actor)}))
