"""Running one /cutover command: parse, check the RACI, decide, append, tell the listeners.

This is the unit of work. The state is re-read before each attempt; if another command was
appended meanwhile (Conflict), the command is decided again against the new state, so two
people approving at once yield one approval and a clear answer for the second. A request key
(Slack retry, repeated action id) makes a second delivery a no-op: it is checked against the keys
read with the state before deciding (not for the verbs that only read) and enforced by the append.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from commands.context import Ctx, Outcome, Reply, Services
from commands.log_guard import mark_failed_log, refuse_on_a_failed_log
from commands.parsing import Words, nearest, split
from commands.table import VERBS
from cutover import events as ev
from cutover.errors import BadArguments, InvalidTransition, PermissionDenied
from cutover.raci import Decision, may
from storage.eventlog import AlreadyApplied, Conflict, Pending

log = logging.getLogger(__name__)
ATTEMPTS = 20


@dataclass(frozen=True)
class Parsed:
    """A command whose words were understood."""

    verb: str
    args: dict


def parse(services: Services, text: str) -> Parsed:
    """Understand the words of a command, or raise BadArguments with the usage and nearest verb."""
    name, words = split(text)
    if not name:
        name = "help"
    verb = VERBS.get(name)
    if verb is None:
        close = nearest(name, list(VERBS))
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise BadArguments(
            f"there is no `{name}` command.{hint}", usage="help", verbs=[v.usage for v in VERBS.values()]
        )
    return Parsed(name, verb.parse(services.plan, Words(name, words, verb.usage)))


def execute(services: Services, actor: str, text: str, key: str | None = None) -> Reply:
    """Run a command as this Slack user; raise a CutoverError for a refusal (nothing changed)."""
    parsed = parse(services, text)
    verb = VERBS[parsed.verb]
    action = verb.action(parsed.args)
    decision = may(actor, action, services.plan, services.roster)
    if not decision.allowed:
        verdict = services.denials.admit(actor, services.clock.now())
        # one recorded denial per person a minute, across replicas; the others counted (commands/denials.py)
        if verdict.record and not _record_denial(
            services, actor, decision, repeats=verdict.repeats, key=verdict.key
        ):
            services.denials.lost(actor, verdict)
        denied = PermissionDenied.because(decision.reason, held=services.plan.titles(decision.held))
        denied.context.update(
            decision=decision, command=text, plan_roles=services.plan.roles, quiet=not verdict.answer
        )
        raise denied
    changes = verb.records and action.name != "read"  # `comms` lists (reads), `comms ack` records
    refuse_on_a_failed_log(services, changes)
    for attempt in range(ATTEMPTS):
        try:
            # a Slack retry or a repeated click is found here (the keys come with the state) or by the append;
            # after a Conflict the log is read again, never shared
            state = read_state(services, key if verb.records else None, attempt > 0, changes)
            now = services.clock.now()
            outcome = verb.handle(Ctx(services, actor, now, state), parsed.args)
            if not outcome.events:
                return outcome.reply
            _commit(services, actor, now, state, outcome, key)
        except Conflict:
            continue
        except AlreadyApplied:
            log.info("request %s was already applied; not applying it again", key)
            return Reply("replies/already_applied.j2")
        return outcome.reply
    raise InvalidTransition("the cutover is changing too fast to record this; please try again")


def read_state(services: Services, key: str | None, fresh: bool, changes: bool):
    """The current state; a row the log cannot read makes the bot read-only (verified to name the row),
    and a reading command is then answered from the last state read."""
    try:
        return services.ledger.current(key=key, fresh=fresh)
    except (AlreadyApplied, Conflict):
        raise
    except (ValueError, TypeError, KeyError, AttributeError):  # an edited row, not a database outage
        log.error("the event log has a row it cannot read; verifying it")
        mark_failed_log(services)
        refuse_on_a_failed_log(services, changes)
        return services.ledger.last_read()


def _commit(services: Services, actor: str, now, state, outcome: Outcome, key: str | None) -> None:
    """Append the outcome's events to its cutover and tell the listeners."""
    planned = isinstance(outcome.events[0], ev.CutoverPlanned)
    new = state is None or planned
    cutover_id = outcome.cutover_id or (services.ledger.new_id() if new else state.cutover_id)
    expected = 0 if new else state.seq
    batch = [Pending(actor=actor, at=now, event=e) for e in outcome.events]
    # a new cutover follows the one this decision saw (none: ''); the database lets only one do so,
    # so a replica that decided on the same view as another gets a Conflict and decides again
    follows = (state.cutover_id if state is not None else "") if planned else None
    fresh_state, recorded = services.ledger.record(cutover_id, batch, expected, key, follows=follows)
    notify(services, fresh_state, recorded)


def notify(services: Services, state, recorded: list[ev.Recorded]) -> None:
    """Tell every listener what was recorded; a failing listener never undoes or blocks the command."""
    for listener in services.listeners:
        try:
            listener(services, state, recorded)
        except Exception:  # noqa: BLE001 - a listener's failure is logged, the command stands
            log.exception(
                "listener %s failed after %s",
                getattr(listener, "__name__", listener),
                [r.event.kind for r in recorded],
            )


def record_event(
    services: Services, cutover_id: str, event: ev.Event, *, actor: str, at=None, key: str | None = None
) -> list[ev.Recorded] | None:
    """Append one event (not a command: a denial, a fired action, a job's result) and tell the listeners.

    Retries on conflict; returns what was recorded, or None when the key was already applied or the log
    failed verification (nothing is appended to a log that is not trusted).
    """
    if services.audit_failure is not None:
        log.warning("not recording %s: the event log failed verification", ev.kind_of(event))
        return None
    done = services.ledger.append(
        cutover_id, [Pending(actor=actor, at=at or services.clock.now(), event=event)], key
    )
    if done is None:
        return None
    fresh, recorded = done
    notify(services, fresh, recorded)
    return recorded


def _record_denial(
    services: Services, actor: str, decision: Decision, *, repeats: int = 0, key: str | None = None
) -> bool:
    """A denial is itself an event of the current cutover (when there is one); False when it was not
    recorded because its key was applied already (another replica recorded this person's window)."""
    state = services.ledger.current()
    if state is None:
        return True  # nothing to record it in (and nothing to carry it to)
    denied = ev.CommandDenied(
        action=str(decision.action),
        roles=list(decision.roles),
        reason=decision.reason,
        held=list(decision.held),
        repeats=repeats,
    )
    return record_event(services, state.cutover_id, denied, actor=actor, key=key) is not None
