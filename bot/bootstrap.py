"""Wiring: one function builds the services a bot needs, with real or fake parts."""

from __future__ import annotations

from commands.context import Clock, Services
from commands.ledger import Ledger
from cutover.engine import Engine
from cutover.plan import Runbook, load_runbook
from cutover.roster import Roster, load_roster
from storage.db import create_db_engine


def build_services(*, runbook: Runbook, roster: Roster, database_url: str, clock: Clock,
                   templates_dir: str | None = None) -> Services:
    """Services over a database URL: the runbook's engine, the ledger, the clock."""
    db = create_db_engine(database_url)
    return Services(plan=runbook, roster=roster, engine=Engine(runbook), ledger=Ledger(db, runbook.id),
                    clock=clock, templates_dir=templates_dir)


def load_plan(runbook_path: str, roster_path: str) -> tuple[Runbook, Roster]:
    """Load and validate the runbook and the roster (PlanError on any problem)."""
    runbook = load_runbook(runbook_path)
    return runbook, load_roster(roster_path, runbook)
