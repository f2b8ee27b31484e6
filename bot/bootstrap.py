"""Wiring: one function builds a whole bot's services, with real or fake parts, for every entry point.

`wire_bot` is what `serve`, `console` and `rehearse` call: the runbook's engine and the ledger
(`build_services`), then each feature in a fixed order — the report jobs, Slack (outbox, channel,
announcer, App Home), the integrity jobs over the probes. What differs between entry points is only
the parts handed in (`Parts`): real AWS clients and a background outbox in `serve`, a recording
Slack client and fake probes on a virtual clock in the console and rehearsals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from commands.context import Clock, Outbox, Services, StatusTargets
from commands.ledger import Ledger
from commands.log_guard import mark_failed_log
from cutover.engine import Engine
from cutover.errors import PlanError
from cutover.plan.model import Runbook, load_runbook
from cutover.probes import Probes
from cutover.roster import Roster, load_roster
from storage import eventlog
from storage.db import create_db_engine

DEFAULT_SES_SOURCE = "cutover-bot@example.com"

Delivery = Literal["immediate", "persistent", "background"]


@dataclass(frozen=True)
class Parts:
    """What a bot is wired with beyond its runbook; a part left None leaves its feature unwired.

    `delivery`: "immediate" sends each message as it is queued (console, rehearsals); "persistent"
    queues rows delivered by `drain()`; "background" (serve) queues rows for the deliverer thread
    `bot.serve.background.start_background` starts, delivering at once until it runs.
    `inline_jobs`: report and integrity jobs run in the caller's thread (a virtual clock keeps step).
    """

    slack: Any = None  # a slack_sdk WebClient (or the console's recording client)
    # a WebClient with the user token (SLACK_USER_TOKEN): reads channel threads after a crash, nothing else
    slack_reader: Any = None
    channel: str | None = None
    delivery: Delivery = "immediate"
    ses: Any = None  # a boto3 SES client: email of the communications plan
    ses_source: str = DEFAULT_SES_SOURCE
    probes: Probes | None = None  # with them, the integrity jobs are wired
    baseline_archive: Any = None  # where baselines are kept (bot/probes/archive.py)
    report_archive: Any = None  # a boto3 S3 client: reports archived to the runbook's bucket
    inline_jobs: bool = False
    status_targets: StatusTargets | None = (
        None  # where the status page is published (S3, Statuspage, CloudWatch)
    )


def wire_bot(
    *,
    runbook: Runbook,
    roster: Roster,
    database_url: str,
    clock: Clock,
    parts: Parts = Parts(),
    templates_dir: str | None = None,
    share_reads_for: float = 0.0,
    audit_key: str | None = None,
) -> Services:
    """Every feature of the bot wired over one database: what `serve`, `console` and `rehearse` run.
    A log that fails verification leaves the bot read-only (`commands/log_guard.py`)."""
    from bot.integrity import jobs as integrity
    from bot.report import jobs as reports
    from bot.slack.app import wire_slack  # the Slack side loads here, off the CLI's import path

    services = _core(runbook, roster, database_url, clock, templates_dir, share_reads_for, audit_key)
    mark_failed_log(services)  # before any feature appends
    if parts.status_targets is not None:
        services.status_targets = parts.status_targets
    reports.wire(services, inline=parts.inline_jobs, archive=parts.report_archive)
    if parts.slack is not None:
        wire_slack(services, parts.slack, channel=parts.channel, outbox=make_outbox(services, parts))
    if parts.probes is not None:
        integrity.wire(
            services, probes=parts.probes, archive=parts.baseline_archive, inline=parts.inline_jobs
        )
    return services


def make_outbox(services: Services, parts: Parts) -> Outbox | None:
    """The outbox of the delivery asked for ("immediate" is wired by `wire_slack` itself: None here)."""
    from bot.outbox.persistent import PersistentOutbox
    from bot.outbox.transports import Transports
    from bot.slack.app import outbox_client  # without the direct calls' 429 retries: the outbox paces

    if parts.delivery == "immediate":
        return None
    background = parts.delivery == "background"
    # on PostgreSQL a serve may be a follower: it only queues; the leader's deliverer polls 4 times a second
    replicated = background and services.ledger.db.dialect.name == "postgresql"
    return PersistentOutbox(
        services.ledger.db,
        services.clock,
        Transports.of(
            slack=outbox_client(parts.slack) if parts.slack is not None else None,
            ses=parts.ses,
            ses_source=parts.ses_source,
            slack_reader=outbox_client(parts.slack_reader) if parts.slack_reader is not None else None,
        ),
        inline_without_thread=background and not replicated,
        poll_seconds=0.25 if replicated else 1.0,
        workers=4 if background else 1,
        templates_dir=services.templates_dir,
    )


def build_services(
    *,
    runbook: Runbook,
    roster: Roster,
    database_url: str,
    clock: Clock,
    templates_dir: str | None = None,
    slack_client: Any = None,
    ses_client: Any = None,
    ses_source: str = DEFAULT_SES_SOURCE,
    share_reads_for: float = 0.0,
    audit_key: str | None = None,
) -> Services:
    """A bot without Slack listeners (tests, benchmarks): the engine, the ledger, the clock, the reports.

    Given a Slack WebClient (and/or a boto3 SES client), the outbox is the persistent one
    (bot/outbox/persistent.py): rows in the same database, delivered with retries by `drain()` or its thread.
    `share_reads_for`: seconds during which requests share one read of the log (commands/ledger.py).
    """
    from bot.report import jobs as reports

    services = _core(runbook, roster, database_url, clock, templates_dir, share_reads_for, audit_key)
    if slack_client is not None or ses_client is not None:
        parts = Parts(slack=slack_client, ses=ses_client, ses_source=ses_source, delivery="persistent")
        services.outbox = make_outbox(services, parts)
    reports.wire(services)
    return services


def _core(
    runbook: Runbook,
    roster: Roster,
    database_url: str,
    clock: Clock,
    templates_dir: str | None,
    share_reads_for: float,
    audit_key: str | None = None,
) -> Services:
    """The runbook's engine and the ledger over the database (its chain signed with the audit key, when
    one is set): no feature wired yet."""
    db = create_db_engine(database_url)
    eventlog.use_chain_key(db, audit_key)
    ledger = Ledger(db, runbook.id, share_reads_for=share_reads_for)
    return Services(
        plan=runbook,
        roster=roster,
        engine=Engine(runbook),
        ledger=ledger,
        clock=clock,
        templates_dir=templates_dir,
    )


def load_plan(
    runbook_path: str, roster_path: str, templates_dir: str | None = None
) -> tuple[Runbook, Roster]:
    """Load and validate the runbook (its communications rendered in the sandbox) and the roster (PlanError
    on any problem)."""
    from bot.timeline.comms import template_problems

    runbook = load_runbook(runbook_path)
    problems = template_problems(runbook, templates_dir)
    if problems:
        raise PlanError(runbook_path, problems)
    return runbook, load_roster(roster_path, runbook)
