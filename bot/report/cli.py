"""`cutover-bot report --cutover ID --out DIR`: write the post-cutover report's three files from the log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli import subcommand


def _report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cutover", required=True, help="the cutover id (see `cutover-bot audit verify`)")
    parser.add_argument(
        "--out", required=True, help="the directory to write report.md, report.html, timeline.png"
    )
    parser.add_argument(
        "--db", default=None, help="database URL (default: DATABASE_URL or sqlite:///cutover.db)"
    )
    parser.add_argument(
        "--runbook", default=None, help="the runbook YAML (default: CUTOVER_RUNBOOK or the NXOP plan)"
    )
    parser.add_argument(
        "--roster", default=None, help="a roster, for people's names (default: CUTOVER_ROSTER)"
    )


@subcommand("report", _report_args, "write the post-cutover report (Markdown, HTML, PNG) from the event log")
def report_command(args: argparse.Namespace) -> int:
    """Exit 0 with the three files written; 2 when the cutover is not in the log."""
    from bot.report.build import write_report
    from bot.settings import load_settings
    from cutover.plan.model import load_runbook
    from cutover.roster import load_roster
    from storage import eventlog
    from storage.db import create_db_engine

    settings = load_settings() if not (args.db and args.runbook) else None
    db = create_db_engine(args.db or (settings.database_url if settings else ""))
    eventlog.use_chain_key(db, (settings or load_settings()).cutover_audit_key)
    runbook = load_runbook(args.runbook or (settings.cutover_runbook if settings else ""))
    known = eventlog.cutover_ids(engine=db)
    if args.cutover not in known:
        print(
            f"cutover-bot: no cutover {args.cutover!r} in the log (cutovers: {', '.join(known) or 'none'})",
            file=sys.stderr,
        )
        return 2
    roster_path = args.roster or (settings.cutover_roster if settings else None)
    roster = load_roster(roster_path, runbook) if roster_path else None
    from bot.clock import SystemClock

    rendered = write_report(db, runbook, roster, args.cutover, generated_at=SystemClock().now())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in rendered.files.items():
        (out / name).write_bytes(content)
        print(f"wrote {out / name} ({len(content)} bytes)")
    return 0
