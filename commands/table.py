"""The verb table: every /cutover verb, its usage, parser, RACI action, confirmation and help line.

The parser, the RACI check and `/cutover help` all read this one table.
"""

from __future__ import annotations

from commands.context import Ctx, Outcome
from commands.verb import Args, Verb, fixed, no_words, one_example
from commands.verbs import (
    abort,
    ack,
    audit,
    baseline,
    comms,
    gate,
    gonogo,
    help,
    note,
    pause,
    plan,
    reconcile,
    report,
    rollback,
    schedule,
    start,
    status,
    step,
    validate,
    whoami,
)


def _table() -> dict[str, Verb]:
    read = one_example("read")
    verbs = [
        Verb("help", help.USAGE, _help, no_words, fixed("read"), read, records=False),
        Verb("plan", plan.USAGE, plan.handle, plan.parse, fixed("read"), read, records=False),
        Verb("whoami", whoami.USAGE, whoami.handle, no_words, fixed("read"), read, records=False),
        Verb(
            "roster", whoami.ROSTER_USAGE, whoami.handle_roster, no_words, fixed("read"), read, records=False
        ),
        Verb(
            "schedule",
            schedule.USAGE,
            schedule.handle,
            schedule.parse,
            fixed("schedule"),
            one_example("schedule"),
        ),
        Verb("go-nogo", gonogo.USAGE, gonogo.handle, gonogo.parse, gonogo.action, gonogo.examples),
        Verb(
            "start", start.USAGE, start.handle, no_words, fixed("start"), one_example("start"), confirm=True
        ),
        Verb("status", status.USAGE, status.handle, no_words, fixed("read"), read, records=False),
        Verb("step", step.USAGE, step.handle, step.parse, step.action, step.examples),
        Verb("gate", gate.USAGE, gate.handle, gate.parse, gate.action, gate.examples),
        Verb("pause", pause.USAGE, pause.handle, pause.parse, fixed("pause"), one_example("pause")),
        Verb(
            "resume",
            pause.RESUME_USAGE,
            pause.handle_resume,
            no_words,
            fixed("resume"),
            one_example("resume"),
        ),
        Verb(
            "rollback",
            rollback.USAGE,
            rollback.handle,
            rollback.parse,
            rollback.action,
            rollback.examples,
            confirm=True,
        ),
        Verb(
            "abort",
            abort.USAGE,
            abort.handle,
            abort.parse,
            fixed("abort"),
            one_example("abort"),
            confirm=True,
        ),
        Verb("note", note.USAGE, note.handle, note.parse, fixed("note"), one_example("note")),
        Verb("audit", audit.USAGE, audit.handle, audit.parse, fixed("read"), read, records=False),
        Verb("comms", comms.USAGE, comms.handle, comms.parse, comms.action, read),
        Verb("ack", ack.USAGE, ack.handle, ack.parse, ack.action, ack.examples),
        Verb("baseline", baseline.USAGE, baseline.handle, baseline.parse, baseline.action, baseline.examples),
        Verb("validate", validate.USAGE, validate.handle, validate.parse, validate.action, validate.examples),
        Verb(
            "reconcile",
            reconcile.USAGE,
            reconcile.handle,
            reconcile.parse,
            reconcile.action,
            reconcile.examples,
        ),
        Verb("report", report.USAGE, report.handle, report.parse, fixed("note"), one_example("note")),
    ]
    return {verb.name: verb for verb in verbs}


def _help(ctx: Ctx, args: Args) -> Outcome:
    """/cutover help over this very table (the help module does not import it: no circle)."""
    return help.handle(ctx, args, VERBS.values())


VERBS: dict[str, Verb] = _table()
