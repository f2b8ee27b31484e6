"""Wiring: one function builds the services a bot needs, with real or fake parts."""

from __future__ import annotations

from typing import Any

from bot.outbox.persistent import PersistentOutbox
from commands.context import Clock, Services
from commands.ledger import Ledger
from cutover.engine import Engine
from cutover.plan.model import Runbook, load_runbook
from cutover.roster import Roster, load_roster
from storage.db import create_db_engine


def build_services(
    *,
    runbook: Runbook,
    roster: Roster,
    database_url: str,
    clock: Clock,
    templates_dir: str | None = None,
    slack_client: Any = None,
    ses_client: Any = None,
    ses_source: str = "cutover-bot@example.com",
    share_reads_for: float = 0.0,
) -> Services:
    """Services over a database URL: the runbook's engine, the ledger, the clock.

    Given a Slack WebClient (and/or a boto3 SES client), the outbox is the persistent one
    (bot/outbox/persistent.py): rows in the same database, delivered with retries by `drain()` or its thread.
    `share_reads_for`: seconds during which requests share one read of the log (commands/ledger.py).
    """
    db = create_db_engine(database_url)
    ledger = Ledger(db, runbook.id, share_reads_for=share_reads_for)
    services = Services(
        plan=runbook,
        roster=roster,
        engine=Engine(runbook),
        ledger=ledger,
        clock=clock,
        templates_dir=templates_dir,
    )
    if slack_client is not None or ses_client is not None:
        services.outbox = PersistentOutbox(
            db, clock, slack=slack_client, ses=ses_client, ses_source=ses_source, templates_dir=templates_dir
        )
    from bot.report.jobs import wire as wire_reports  # issue 6: `/cutover report` renders in a worker thread

    wire_reports(services)
    return services


def load_plan(runbook_path: str, roster_path: str) -> tuple[Runbook, Roster]:
    """Load and validate the runbook and the roster (PlanError on any problem)."""
    runbook = load_runbook(runbook_path)
    return runbook, load_roster(roster_path, runbook)
