"""/cutover comms [ack <message id> [audience]]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, nearest
from commands.verb import Args
from cutover.errors import BadArguments, InvalidTransition
from cutover.plan.model import Runbook
from cutover.raci import Action
from cutover.timeline import events as te
from cutover.timeline.comms import views

USAGE = "comms [ack <message id> [audience]]"


def parse(plan: Runbook, words: Words) -> Args:
    """No words: the list; `ack T-7d [business_units]` acknowledges a message (for an audience)."""
    if not words.items:
        return {}
    words.choice(0, "the action", ("ack",))
    ids = [m.id for m in plan.communications.messages] if plan.communications else []
    wanted = words.get(1, "the message id")
    found = next((i for i in ids if i.lower() == wanted.lower()), None)
    if found is None:
        close = nearest(wanted, ids)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise BadArguments(f"no message {wanted!r}{hint} (messages: {', '.join(ids)})", usage=words.usage)
    audience = words.rest(2)
    messages = plan.communications.messages if plan.communications else []
    audiences = next(m.audiences for m in messages if m.id == found)
    if audience and audience not in audiences:
        raise BadArguments(f"{found} goes to {', '.join(audiences)}, not {audience!r}", usage=words.usage)
    return {"ack": found, "audience": audience}


def action(args: Args) -> Action:
    """Listing is reading; acknowledging needs a role of the audience (`cutover/timeline/ack_roles.py`)."""
    if "ack" not in args:
        return Action("read")
    return Action("comm_ack", f"{args['ack']}:{args['audience']}")


def handle(ctx: Ctx, args: Args) -> Outcome:
    """The communications plan: what was sent, what is pending, who has not acknowledged."""
    if ctx.state is None:
        return Outcome(Reply("replies/no_cutover.j2", {"duties": ctx.plan.duty_titles}))
    rows = views(ctx.state, ctx.plan)
    if "ack" not in args:
        return Outcome(Reply("time/comms_list.j2", {"rows": rows, "state": ctx.state, "now": ctx.now}))
    row = next(r for r in rows if r.id == args["ack"])
    if row.status != "sent":
        raise InvalidTransition(
            f"{row.id} has not been sent (it is {row.status}); there is nothing to acknowledge"
        )
    acks = ctx.state.time.comm(row.id).acks
    if any(actor == ctx.actor and audience == args["audience"] for actor, audience, _ in acks):
        # one acknowledgement per person and communication: a second click or command changes nothing
        return Outcome(
            Reply("time/comm_acknowledged.j2", {"row": row, "audience": args["audience"], "again": True})
        )
    event = te.CommAcknowledged(comm_id=row.id, audience=args["audience"])
    context = {"row": row, "audience": args["audience"], "again": False}
    return Outcome(Reply("time/comm_acknowledged.j2", context), [event])
