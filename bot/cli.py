"""The `cutover-bot` command line: plan check/show, audit verify, and the runtime modes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.slack.replies import error_text, reply_text
from commands.verbs import plan as plan_verb
from cutover.errors import CutoverError, PlanError
from cutover.plan.consistency import contradictions
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import load_roster
from templates.render import render

Handler = Callable[[argparse.Namespace], int]
SUBCOMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], None], Handler]] = {}


def subcommand(name: str, configure: Callable[[argparse.ArgumentParser], None], help_text: str):
    """Register a CLI subcommand: its name, its arguments and its handler."""

    def register(handler: Handler) -> Handler:
        def add(subparsers: argparse._SubParsersAction) -> None:
            parser = subparsers.add_parser(name, help=help_text, description=help_text)
            configure(parser)

        SUBCOMMANDS[name] = (add, handler)
        return handler

    return register


def _plan_args(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="plan_action", required=True, metavar="check|show")
    check = sub.add_parser("check", help="validate a runbook (and optionally a roster) file")
    check.add_argument("file", help="the runbook YAML file")
    check.add_argument("--roster", help="also validate this roster against the runbook")
    show = sub.add_parser("show", help="print the plan, or one phase, step, gate (G2) or rollback (R1)")
    show.add_argument("ref", nargs="?", default="", help="e.g. 1A, 1A.3, G5, R2")
    show.add_argument("--runbook", default=str(default_runbook_path()))


@subcommand("plan", _plan_args, "check or show a runbook")
def plan_command(args: argparse.Namespace) -> int:
    """`plan check FILE` and `plan show [REF]`."""
    if args.plan_action == "check":
        from bot.timeline.comms import template_problems

        runbook = load_runbook(args.file)
        problems = template_problems(runbook)
        if problems:
            raise PlanError(args.file, problems)
        people = len(load_roster(args.roster, runbook).everyone()) if args.roster else None
        print(
            render(
                "cli/plan_checked.j2",
                file=args.file,
                runbook=runbook,
                people=people,
                roster_file=args.roster,
                findings=contradictions(runbook),
            )
        )
        return 0
    runbook = load_runbook(args.runbook)
    reply = plan_verb.resolve(runbook, args.ref) if args.ref else plan_verb.overview(runbook)
    print(reply_text(reply))
    return 0


def _audit_args(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_action", required=True, metavar="verify")
    verify = sub.add_parser("verify", help="verify the hash chain of the event log")
    verify.add_argument(
        "--db", default=None, help="database URL (default: DATABASE_URL or sqlite:///cutover.db)"
    )
    verify.add_argument("--cutover", default=None, help="one cutover id (default: every cutover)")
    verify.add_argument(
        "--s3",
        action="store_true",
        help="also check the chain heads anchored in S3: the runbook's reports and baseline buckets",
    )
    verify.add_argument(
        "--s3-bucket", action="append", default=[], help="a bucket of anchors to check (repeatable)"
    )
    verify.add_argument(
        "--slack",
        action="store_true",
        help="also check the chain heads in the status posts' Slack metadata, in CUTOVER_CHANNEL "
        "(the token: --slack-token, else SLACK_USER_TOKEN, which may read the threads, else SLACK_BOT_TOKEN)",
    )
    verify.add_argument("--slack-token", default=None, help="a Slack token that may read the channel")


@subcommand("audit", _audit_args, "verify the audit log")
def audit_command(args: argparse.Namespace) -> int:
    """`audit verify`: exit 0 when every chain verifies, 1 when one does not."""
    from bot.settings import load_settings
    from storage import eventlog
    from storage.db import create_db_engine

    settings = load_settings()
    db = create_db_engine(args.db or settings.database_url)
    eventlog.use_chain_key(db, settings.cutover_audit_key)
    anchored = eventlog.read_anchors(db)
    outside = _outside_anchors(args, settings)
    if outside is not None:
        for line in outside.notes:
            print(line)
        anchored = (anchored or type(outside.anchored)()).merge(outside.anchored)
    ids = [args.cutover] if args.cutover else eventlog.audited_cutover_ids(engine=db, anchored=anchored)
    failed = 0
    for problem in (outside.problems if outside else []) + (anchored.disputes if anchored else []):
        failed += 1
        print(render("cli/audit_anchor_problem.j2", problem=problem))
    if not ids:
        print(render("cli/audit_result.j2", result=None))
        return 1 if failed else 0
    for cutover_id in ids:
        result = eventlog.verify(engine=db, cutover_id=cutover_id, anchored=anchored)
        failed += not result.ok
        print(render("cli/audit_result.j2", result=result))
    if anchored and anchored.unreadable:
        failed += 1
        print(render("cli/audit_anchor_lines.j2", lines=anchored.unreadable))
    return 1 if failed else 0


def _outside_anchors(args: argparse.Namespace, settings):  # -> bot.integrity.anchors.Read | None
    """The anchors in S3 and Slack that `--s3`, `--s3-bucket` and `--slack` ask for (None: none asked)."""
    if not (args.s3 or args.s3_bucket or args.slack):
        return None
    from bot.integrity import anchors

    read = anchors.Read()
    if args.s3 or args.s3_bucket:
        from bot.probes.aws import AwsClients
        from bot.probes.config import ProbeSettings

        runbook = load_runbook(settings.cutover_runbook)
        checks = runbook.data_checks
        buckets = list(args.s3_bucket) or [
            b for b in dict.fromkeys([checks.reports_bucket, checks.baseline_bucket] if checks else []) if b
        ]
        if not buckets:
            read.problems.append("S3: the runbook names no reports or baseline bucket (give --s3-bucket)")
        else:
            anchors.s3_anchors(AwsClients(ProbeSettings()).client("s3", runbook.from_region), buckets, read)
    if args.slack:
        from slack_sdk import WebClient

        base_url = settings.slack_api_url or WebClient.BASE_URL
        # --slack-token reads everything; else the bot token reads the channel, the user token its threads
        token = args.slack_token or settings.slack_bot_token or settings.slack_user_token
        thread_token = args.slack_token or settings.slack_user_token or token
        if not token:
            read.problems.append(
                "Slack: no token (give --slack-token or set SLACK_USER_TOKEN or SLACK_BOT_TOKEN)"
            )
        else:
            client = WebClient(token=token, base_url=base_url)
            reader = WebClient(token=thread_token, base_url=base_url) if thread_token != token else None
            anchors.slack_anchors(client, settings.cutover_channel, read, reader)
    return read


def _db_args(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_action", required=True, metavar="upgrade|check")
    for action, help_text in (
        ("upgrade", "bring the database's schema to this release's revision (Alembic migrations)"),
        ("check", "say the database's schema revision; exit 1 unless it is this release's"),
    ):
        sub.add_parser(action, help=help_text).add_argument(
            "--db", default=None, help="database URL (default: DATABASE_URL or sqlite:///cutover.db)"
        )


@subcommand("db", _db_args, "upgrade or check the database schema")
def db_command(args: argparse.Namespace) -> int:
    """`db upgrade` runs the migrations (every replica may stay up meanwhile: they refuse to start,
    not to run); `db check` exits 0 only when the schema is this release's."""
    from bot.settings import load_settings
    from storage import schema
    from storage.db import create_db_engine

    engine = create_db_engine(args.db or load_settings().database_url, prepare=False)
    try:
        if args.db_action == "upgrade":
            before, after = schema.upgrade(engine)
            print(render("cli/db_upgraded.j2", before=before, after=after))
            return 0
        with engine.connect() as connection:
            found = schema.revision_of(connection)
        print(render("cli/db_revision.j2", found=found, head=schema.HEAD))
        return 0 if found == schema.HEAD else 1
    finally:
        engine.dispose()


RUNTIME_MODES = {
    "serve": "bot.serve.command",
    "console": "bot.console.command",
    "rehearse": "bot.rehearsal.command",
    "report": "bot.report.cli",
}


def build_parser(wanted: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the wanted runtime mode is imported (all of them for help)."""
    _import_runtime_modes(wanted)
    parser = argparse.ArgumentParser(prog="cutover-bot", description="The NXOP cutover bot.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add, _ in SUBCOMMANDS.values():
        add(subparsers)
    return parser


def _import_runtime_modes(wanted: str | None = None) -> None:
    """Modules that register more subcommands (serve, console, rehearse, report): the wanted one, or all."""
    import importlib

    modules = [RUNTIME_MODES[wanted]] if wanted in RUNTIME_MODES else list(RUNTIME_MODES.values())
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def plan_problem_lines(error: PlanError) -> str:
    """A bad runbook or roster in words: one line per problem, each starting with the file."""
    return render("cli/plan_problems.j2", file=error.path, problems=error.problems)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand; bad files and settings print one clear line per problem."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    handler = SUBCOMMANDS[args.command][1]
    try:
        return handler(args)
    except PlanError as exc:
        print(plan_problem_lines(exc), file=sys.stderr)
        return 2
    except CutoverError as exc:
        print(error_text(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # settings, database and other start-up failures: one line, no traceback
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        from bot.settings import SettingsError
        from storage.schema import SchemaMismatch

        if isinstance(exc, SettingsError):
            print(render("cli/setting_error.j2", error=exc), file=sys.stderr)
            return 2
        if isinstance(exc, SchemaMismatch):
            print(render("cli/schema_mismatch.j2", error=exc), file=sys.stderr)
            return 2
        if isinstance(exc, OperationalError):  # the database named cannot be reached
            print(render("cli/database_unreachable.j2", error=exc), file=sys.stderr)
            return 2
        if isinstance(exc, SQLAlchemyError):  # not a database URL at all, or refused in another way
            print(render("cli/database_error.j2", **database_failure(exc)), file=sys.stderr)
            return 2
        raise


def database_failure(exc: Exception) -> dict[str, str]:
    """The class and the driver's first line of a database failure (never the URL: it may hold a password)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    detail = lines[0][:200] if lines else ""
    return {"kind": type(cause).__name__, "detail": detail if "://" not in detail else ""}


if __name__ == "__main__":  # `python -m bot.cli`: run the one registry runtime modes register into
    from bot import cli

    raise SystemExit(cli.main())
