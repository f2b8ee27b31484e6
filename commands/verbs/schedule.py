"""/cutover schedule <YYYY-MM-DD HH:MM> [TZ]"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words
from commands.verb import Args
from cutover.errors import BadArguments
from cutover.plan.model import Runbook
from cutover.report.events import RehearsalMarked
from cutover.timeline.comms import short_notice

USAGE = "schedule <YYYY-MM-DD HH:MM> [TZ]"


def parse(plan: Runbook, words: Words) -> Args:
    """Read the window start; the time zone defaults to UTC."""
    day, clock = words.get(0, "the date (YYYY-MM-DD)"), words.get(1, "the time (HH:MM)")
    zone_name = words.items[2] if len(words.items) > 2 else "UTC"
    if len(words.items) > 3:
        raise BadArguments("too many words: give the date, the time and optionally a time zone", usage=USAGE)
    try:
        zone = UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadArguments(
            f"unknown time zone {zone_name!r} (use e.g. UTC or America/Chicago)", usage=USAGE
        ) from None
    try:
        local = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M")
        window = local.replace(tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or one past year 9999 once in UTC
        raise BadArguments(
            f"{day[:20]} {clock[:20]} is not a date and time in the form 2026-12-01 02:00", usage=USAGE
        ) from None
    return {"window": window, "zone": "UTC" if zone is UTC else zone_name}


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Schedule (or move) the cutover window; a new cutover of a rehearsal is marked as one with it.

    The mark goes with the schedule, so the go/no-go checklist the schedule triggers already knows
    that the drill items are not required in a rehearsal.
    """
    events = ctx.engine.schedule(ctx.state, args["window"], args["zone"], ctx.now)
    new = ctx.state is None or ctx.state.terminal
    if new and ctx.services.rehearsal is not None:
        events = [*events, RehearsalMarked(scenario=ctx.services.rehearsal)]
    local_zone = ctx.plan.business.timezone if ctx.plan.business else "UTC"
    local = args["window"].astimezone(ZoneInfo(local_zone))
    return Outcome(
        Reply(
            "replies/scheduled.j2",
            {
                "window": args["window"],
                "local": local,
                "local_zone": local_zone,
                "new": new,
                "moved_from": None if new or ctx.state is None else ctx.state.window_start,
                "short_notice": short_notice(ctx.plan, args["window"], ctx.now),
                "lead": args["window"] - ctx.now,
            },
        ),
        events,
        cutover_id=None,
    )
