"""/cutover whoami  and  /cutover roster"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.verb import Args

USAGE = "whoami"
ROSTER_USAGE = "roster"


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Your roles tonight, and whether you are on call."""
    roles = ctx.roster.roles_of(ctx.actor)
    return Outcome(
        Reply(
            "replies/whoami.j2",
            {
                "member": ctx.roster.member(ctx.actor),
                "actor": ctx.actor,
                "roles": [(r, ctx.plan.roles.get(r, r)) for r in roles],
            },
        )
    )


def handle_roster(ctx: Ctx, args: Args) -> Outcome:
    """Who holds each role tonight, on-call first."""
    roles = [
        (key, title, sorted(ctx.roster.members_of(key), key=lambda m: not m.on_call))
        for key, title in ctx.plan.roles.items()
    ]
    return Outcome(Reply("replies/roster.j2", {"roles": roles}))
