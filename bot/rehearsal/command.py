"""`cutover-bot rehearse`: a dry run or rollback drill of the whole cutover, with its report."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli import subcommand
from bot.clock import SystemClock
from bot.rehearsal.play import Rehearsal, RehearsalResult
from bot.rehearsal.scenarios import SCENARIOS, scenario_named
from cutover import events as ev
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from storage.eventlog import Pending
from templates.render import render

REHEARSAL_START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
DRILL_LOG = "rehearsals"  # the log of drills in the bot's database, read by go/no-go


def _args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="happy", choices=[*SCENARIOS, "drill"])
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="the drill's random failure and every rehearsal's step durations, drawn around the "
        "runbook's (reproducible: the same seed gives the same transcript)",
    )
    parser.add_argument("--out", default=None, help="output folder (default ./rehearsal-<scenario>/)")
    parser.add_argument("--runbook", default=str(default_runbook_path()))
    parser.add_argument("--roster", default=str(default_roster_path()))
    parser.add_argument(
        "--speed",
        type=float,
        default=0.0,
        help="play back at this many times real speed (0, the default: as fast as possible)",
    )
    parser.add_argument(
        "--record-to",
        default=None,
        help="database URL where the drill is recorded for go/no-go (default DATABASE_URL or "
        "sqlite:///cutover.db; 'none' to skip)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


IDLE = timedelta(minutes=5)  # a longer quiet stretch of rehearsal time plays back as this long


def paced(speed: float, sleep=time.sleep):
    """The wait of a played-back rehearsal: `speed` times real speed, idle stretches skipped.

    Days of waiting for T-7d and T-24h would take hours even at 60x; a gap longer than IDLE is
    played back as IDLE, so the screen keeps moving while the busy night runs at the speed asked.
    """

    def wait(delta: timedelta) -> None:
        sleep(min(delta, IDLE).total_seconds() / speed)

    return wait


@subcommand("rehearse", _args, "rehearse the whole cutover on simulated infrastructure and write its report")
def rehearse_command(args: argparse.Namespace) -> int:
    """Run one rehearsal; exit 0 whenever it ran, whatever the cutover's outcome."""
    plan = load_runbook(args.runbook)
    roster = load_roster(args.roster, plan)
    scenario = scenario_named(args.scenario, args.seed)
    out = Path(args.out or f"rehearsal-{scenario.name}")
    print(render("cli/rehearsal_header.j2", scenario=scenario), flush=True)
    wait = paced(args.speed) if args.speed > 0 else None
    rehearsal = Rehearsal(
        plan,
        roster,
        scenario,
        out_dir=out,
        start=REHEARSAL_START,
        echo=None if args.quiet else (lambda line: print(line, flush=True)),
        wait=wait,
        seed=args.seed,
    )
    result = rehearsal.run()
    write_outputs(rehearsal, result, out)
    target = args.record_to
    if target is None:
        from bot.settings import load_settings

        target = load_settings().database_url
    if target.lower() != "none":
        record_drill(target, result, SystemClock().now())  # when the drill really ran, not rehearsal time
    print(render("cli/rehearsal_outputs.j2", out=out))
    print(result.summary())
    return 0


def write_outputs(rehearsal: Rehearsal, result: RehearsalResult, out: Path) -> None:
    """The report (Markdown, HTML, PNG), the JSON transcript; the drill recorded in the run's own log."""
    from bot.report.build import load_report, render_files

    services = rehearsal.session.services
    _append(services.ledger, result.state.cutover_id, drill_event(result), rehearsal.session.clock.now())
    report = load_report(
        services.ledger.db,
        rehearsal.plan,
        rehearsal.roster,
        result.state.cutover_id,
        generated_at=rehearsal.session.clock.now(),
    )
    for name, content in render_files(report, services.templates_dir).files.items():
        (out / name).write_bytes(content)
    rehearsal.write_transcript(out / "transcript.jsonl")


def drill_event(result: RehearsalResult) -> ev.Event:
    """The record go/no-go reads: which rollback procedure this rehearsal drilled."""
    from cutover.integrity.drills import RehearsalRecorded

    return RehearsalRecorded(
        scenario=result.scenario, procedure=result.rollback or "", outcome=result.outcome
    )


def record_drill(database_url: str, result: RehearsalResult, at: datetime) -> None:
    """Append the drill to the bot's database, in the log of drills."""
    from commands.ledger import Ledger
    from storage.db import create_db_engine

    ledger = Ledger(create_db_engine(database_url), "rehearsals")
    _append(ledger, DRILL_LOG, drill_event(result), at)


def _append(ledger, cutover_id: str, event: ev.Event, at: datetime) -> None:
    ledger.append(cutover_id, [Pending(actor="rehearsal", at=at, event=event)])
