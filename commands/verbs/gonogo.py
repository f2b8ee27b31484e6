"""/cutover go-nogo [go <reason> | no-go <reason> | confirm <item> [note] | override <reason> | approve-override [note]]"""

from __future__ import annotations

from commands.context import Ctx, Outcome, Reply
from commands.parsing import Words, nearest
from commands.verb import Args
from commands.verbs.gonogo_facts import log_facts
from cutover.errors import BadArguments, InvalidTransition
from cutover.integrity import events as ie
from cutover.integrity.checklist import STANDBY, Item, check_go, confirmable, current_checklist, not_passing
from cutover.integrity.start_time import start_items
from cutover.plan.model import Runbook
from cutover.raci import Action
from cutover.state import CutoverState, Status

USAGE = "go-nogo [go <reason> | no-go <reason> | confirm <item> [note] | override <reason> | approve-override [note]]"
BEFORE_START = (Status.SCHEDULED, Status.GO, Status.NO_GO)
VERBS = ("go", "no-go", "confirm", "override", "approve-override")


def parse(plan: Runbook, words: Words) -> Args:
    """No words: show the checklist; otherwise decide, confirm an item, or ask / approve an override."""
    if not words.items:
        return {"decide": None}
    sub = words.choice(0, "the decision", VERBS)
    if sub in ("go", "no-go"):
        return {"decide": sub, "reason": words.rest(1, "the reason")}
    if sub == "confirm":
        item = words.get(1, "the item to confirm").lower()
        owners = confirmable(plan)
        if item not in owners:
            close = nearest(item, list(owners))
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise BadArguments(
                f"no confirmable item {item!r}{hint} (items: {', '.join(owners)})", usage=words.usage
            )
        return {"decide": None, "confirm": item, "note": words.rest(2)}
    if sub == "override":
        return {"decide": None, "override": words.rest(1, "the reason for the override")}
    return {"decide": None, "approve_override": True, "note": words.rest(1)}


def action(args: Args) -> Action:
    """Reading is open to all; GO/NO-GO and overrides are the Incident Commander's; approval is Management's."""
    if args.get("decide"):
        return Action("go_nogo")
    if "confirm" in args:
        return Action("gonogo_confirm", args["confirm"])
    if "override" in args:
        return Action("gonogo_override")
    if args.get("approve_override"):
        return Action("gonogo_approve_override")
    return Action("read")


def examples(plan: Runbook) -> list[Action]:
    """The dry-run actions `/cutover help` checks for this verb."""
    return [
        Action("go_nogo"),
        *(Action("gonogo_confirm", key) for key in confirmable(plan)),
        Action("gonogo_override"),
        Action("gonogo_approve_override"),
    ]


def handle(ctx: Ctx, args: Args) -> Outcome:
    """Show the go/no-go checklist, confirm an item, ask or approve an override, or record GO / NO-GO."""
    state = ctx.state
    items = _items(ctx)
    if "confirm" in args:
        return _confirm(ctx, _require(state), args["confirm"], args["note"])
    if "override" in args:
        return _override(ctx, _require(state), items, args["override"])
    if args.get("approve_override"):
        return _approve(ctx, _require(state), args["note"])
    if args["decide"] is None:
        jobs = ctx.services.integrity
        if jobs is not None and state is not None and state.status in BEFORE_START:
            jobs.request("checklist", state.cutover_id, ctx.actor)
        return Outcome(
            Reply(
                "gonogo/checklist.j2",
                {
                    "state": state,
                    "items": [i.as_dict() for i in items],
                    "refreshing": jobs is not None and state is not None,
                    "duties": ctx.plan.duty_titles,
                },
            )
        )
    if args["decide"] == "go" and state is not None:
        check_go(items, state.integrity, ctx.plan)
    events = ctx.engine.decide_go_nogo(state, args["decide"], args["reason"])
    override = state.integrity.override if state and state.integrity.override_approved else None
    overridden = override.items if override is not None else []
    return Outcome(
        Reply(
            "gonogo/decided.j2",
            {
                "decision": args["decide"],
                "reason": args["reason"],
                "items": [i.as_dict() for i in items],
                "overridden": overridden,
                "duties": ctx.plan.duty_titles,
            },
        ),
        events,
    )


def _items(ctx: Ctx) -> list[Item]:
    state = ctx.state
    facts = log_facts(ctx.services, state, ctx.now)
    integrity = state.integrity if state else None
    if integrity is None:
        from cutover.integrity.state import IntegrityState

        integrity = IntegrityState()
    return current_checklist(ctx.plan, ctx.roster, integrity, facts)


def _require(state: CutoverState | None) -> CutoverState:
    if state is None:
        raise InvalidTransition("no cutover is scheduled yet: `/cutover schedule YYYY-MM-DD HH:MM` first")
    if state.status not in BEFORE_START:
        raise InvalidTransition(
            f"the cutover is {state.status.value}; go/no-go is settled before the cutover starts"
        )
    return state


def _confirm(ctx: Ctx, state: CutoverState, item: str, note: str) -> Outcome:
    roles = []
    if item == STANDBY:
        required = ctx.plan.business.required_roles if ctx.plan.business else []
        roles = [
            r for r in required if any(m.slack_id == ctx.actor for m in ctx.roster.members_of(r) if m.on_call)
        ]
        if not roles:
            raise InvalidTransition(
                "standby is confirmed by the on-call member of a required role "
                f"({', '.join(required)}); you are not on call for any of them"
            )
    event = ie.GoNoGoConfirmed(item=item, note=note)
    return Outcome(Reply("gonogo/confirmed.j2", {"item": item, "note": note, "roles": roles}), [event])


def _override(ctx: Ctx, state: CutoverState, items: list[Item], reason: str) -> Outcome:
    blocking = not_passing(items)
    if state.status == Status.GO:  # after GO, an override is asked for starting now (early, in a peak window)
        blocking += start_items(ctx.plan, state.window_start, ctx.now)
    if not blocking:
        raise InvalidTransition(
            "every checklist item passes; no override is needed (`/cutover go-nogo go <reason>`)"
        )
    event = ie.OverrideRequested(reason=reason, items=[i.key for i in blocking])
    return Outcome(
        Reply(
            "gonogo/override_requested.j2",
            {"reason": reason, "items": [i.as_dict() for i in blocking], "duties": ctx.plan.duty_titles},
        ),
        [event],
    )


def _approve(ctx: Ctx, state: CutoverState, note: str) -> Outcome:
    override = state.integrity.override
    if override is None:
        commander = " or ".join(ctx.plan.duty_titles["go_nogo"])
        raise InvalidTransition(
            f"no override was asked; the {commander} asks with `/cutover go-nogo override <reason>`"
        )
    if override.approved_by is not None:
        raise InvalidTransition(f"the override was already approved by <@{override.approved_by}>")
    if override.requested_by == ctx.actor:
        raise InvalidTransition("the override needs a different person to approve it than the one who asked")
    return Outcome(
        Reply(
            "gonogo/override_approved.j2",
            {"override": override, "note": note, "duties": ctx.plan.duty_titles},
        ),
        [ie.OverrideApproved(reason=note)],
    )
