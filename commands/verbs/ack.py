"""/cutover ack [<escalation key> | all] [for <duration>]"""

from __future__ import annotations

from datetime import timedelta

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.errors import BadArguments, InvalidTransition
from cutover.events import Event
from cutover.plan.durations import parse_duration
from cutover.plan.model import Runbook
from cutover.raci import Action
from cutover.timeline import events as te
from cutover.timeline.ack_roles import may_acknowledge

USAGE = "ack [<escalation key> | all] [for <duration>]"


def parse(plan: Runbook, words: Words) -> Args:
    """Which escalation (default: those that pinged you), and an optional snooze duration."""
    items = list(words.items)
    snooze = None
    if "for" in [w.lower() for w in items]:
        at = [w.lower() for w in items].index("for")
        try:
            snooze = parse_duration(" ".join(items[at + 1 :]))
        except (ValueError, TypeError):
            raise BadArguments("the snooze is a duration such as 10m", usage=words.usage) from None
        if snooze <= timedelta():
            raise BadArguments("the snooze is a duration such as 10m", usage=words.usage)
        items = items[:at]
    return {"key": items[0] if items else "", "snooze": snooze}


def action(args: Args) -> Action:
    """An escalation is acknowledged by the roles it goes to; `ack` and `ack all` by someone on the roster."""
    return Action("escalation_ack", args["key"])


def examples(plan: Runbook) -> list[Action]:
    """Anyone on the roster may acknowledge what goes to them."""
    return [Action("escalation_ack", "all")]


def open_episodes(ctx: Ctx) -> dict:
    """Escalations that pinged someone, that nobody acknowledged yet and that this person may acknowledge."""
    if ctx.state is None:
        return {}
    time = ctx.state.time
    held = ctx.roster.roles_of(ctx.actor)
    return {
        key: ep
        for key, ep in time.episodes.items()
        if key not in time.acknowledged and may_acknowledge(ctx.actor, held, ep.roles, ep.to)
    }


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Acknowledge an escalation (it stops repeating), or snooze it `for 10m`."""
    if ctx.state is None:
        return Outcome(Reply("replies/no_cutover.j2", {"duties": ctx.plan.duty_titles}))
    episodes = open_episodes(ctx)
    key = args["key"]
    if key == "all":
        chosen = list(episodes)
    elif key:
        if key not in episodes:
            raise BadArguments(
                f"no open escalation {key!r}" + (f"; open: {', '.join(episodes)}" if episodes else ""),
                usage=USAGE,
            )
        chosen = [key]
    else:
        chosen = [k for k, ep in episodes.items() if ctx.actor in ep.to]
    if not chosen:
        raise InvalidTransition(
            "no open escalation pinged you; `/cutover ack all` acknowledges every open one that goes to your roles"
        )
    if args["snooze"]:
        until = (ctx.now + args["snooze"]).isoformat()
        events: list[Event] = [te.EscalationSnoozed(key=k, until=until) for k in chosen]
    else:
        events = [te.EscalationAcknowledged(key=k) for k in chosen]
    return Outcome(
        Reply("time/acknowledged.j2", {"keys": chosen, "snooze": args["snooze"], "episodes": episodes}),
        events,
    )
