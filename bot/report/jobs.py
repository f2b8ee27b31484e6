"""Writing and delivering the report off the ack path.

`/cutover report` records `report.requested`, and so does the bot itself before the T+24h communication
(`due_candidates` / `fire_due_report`, a due-source of bot/timeline/fire.py); the listener `on_recorded` hands it to `ReportJobs`,
which renders in a worker thread (or inline for the CLI and rehearsals) and delivers: S3 archive,
upload to the cutover thread, the executive summary to the runbook's summary roles by DM, then `report.generated`.
Each integration is tried on its own: one failing (S3 down, Slack refusing) is said in the thread
and never stops the others.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commands.context import Services
from commands.run import record_event
from cutover.events import Recorded, kind_of
from cutover.report.events import ReportGenerated, ReportRequested, report_location
from cutover.report.schedule import report_due
from cutover.state import CutoverState
from cutover.timeline.due import DueAction
from storage import eventlog
from storage.db import single_connection
from templates.render import render

log = logging.getLogger(__name__)
BOT = "cutover-bot"


@dataclass
class Delivery:
    """What one report run did: its files, where they went, and what failed."""

    cutover_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    archive: str = ""
    permalink: str = ""
    uploaded: list[str] = field(default_factory=list)
    summaries: int = 0
    failures: list[str] = field(default_factory=list)


class ReportJobs:
    """Runs report jobs in one worker thread (or inline)."""

    def __init__(self, services: Services, *, inline: bool = False, archive: Any = None) -> None:
        self.services, self.inline, self.archive = services, inline, archive  # archive: a boto3 S3 client
        self._pool: ThreadPoolExecutor | None = None
        self._futures: list[Future] = []
        self._lock = threading.Lock()

    def request(self, cutover_id: str, key: str) -> None:
        """Write and deliver the report soon (now, when inline)."""
        if self.inline:
            self._run(cutover_id, key)
            return
        with self._lock:
            if self._pool is None:  # created on first use: wiring costs no thread
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
            future = self._pool.submit(self._run, cutover_id, key)
            self._futures = [f for f in self._futures if not f.done()] + [future]

    def wait(self, timeout: float = 60.0) -> list[Delivery | None]:
        """Wait for every queued report (tests, shutdown); their deliveries."""
        with self._lock:
            futures = list(self._futures)
        return [f.result(timeout=timeout) for f in futures]

    def location(self, cutover_id: str) -> str:
        """Where the latest report of a cutover is (S3 URI or thread permalink); "" before the first."""
        return location(self.services, cutover_id) or ""

    def _run(self, cutover_id: str, key: str) -> Delivery | None:
        try:
            return generate(self.services, cutover_id, key=key, archive=self.archive)
        except Exception:  # noqa: BLE001 - a background failure is logged; asking again retries
            log.exception("the report of %s could not be written", cutover_id)
            return None


def wire(services: Services, *, inline: bool = False, archive: Any = None) -> ReportJobs:
    """Install the report jobs and their listener; the communications then link to the latest report, and
    the report is written by itself before the T+24h communication (`due_candidates`, a due-source of
    bot/timeline/fire.py, lists nothing for services without report jobs). `archive`: a boto3 S3 client.

    In-memory SQLite has one connection, which a worker thread cannot share: the jobs run inline there.
    """
    jobs = ReportJobs(services, inline=inline or single_connection(services.ledger.db), archive=archive)
    services.reports = jobs
    services.listeners.append(on_recorded)
    return jobs


def due_candidates(services: Services, state: CutoverState, t: datetime) -> list[DueAction]:
    """The report due before the T+24h communication, when report jobs are wired."""
    due = report_due(state, services.plan) if services.reports is not None else None
    return [due] if due is not None else []


def fire_due_report(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """Ask for the report as the bot; the listener starts the job (inline on a virtual clock)."""
    record_event(
        services,
        state.cutover_id,
        ReportRequested(cutover_id=state.cutover_id),
        actor=BOT,
        at=t,
        key=action.key,
    )


def on_recorded(services: Services, state: CutoverState, recorded: list[Recorded]) -> None:
    """Listener: a `report.requested` starts a report job for its cutover."""
    jobs = services.reports
    for r in recorded:
        if jobs is not None and kind_of(r.event) == "report.requested":
            jobs.request(state.cutover_id, key=f"report:{state.cutover_id}:{r.seq}")


def generate(services: Services, cutover_id: str, *, key: str, archive: Any = None) -> Delivery:
    """Render the report and deliver it through every integration configured; record `report.generated`.

    `archive`: a boto3 S3 client (the files go to the runbook's reports bucket); the Slack upload goes
    through `services.slack`, the summaries through the outbox.
    """
    from bot.report.build import write_report  # matplotlib loads here, off the import path

    plan = services.plan
    rendered = write_report(
        services.ledger.db,
        plan,
        services.roster,
        cutover_id,
        generated_at=services.clock.now(),
        templates_dir=services.templates_dir,
    )
    report, done = rendered.report, Delivery(cutover_id, rendered.files)
    bucket = plan.data_checks.reports_bucket if plan.data_checks else ""
    if archive is not None and bucket:
        try:
            from bot.report.archive import archive_report

            done.archive = archive_report(archive, bucket, cutover_id, done.files)
        except Exception as exc:  # noqa: BLE001 - S3 down must not stop the Slack delivery
            _failed(services, done, "the S3 archive", exc, key)
        else:
            _anchor(services, archive, bucket, cutover_id)
    if services.slack is not None:
        _upload(services, services.slack, done, key)
    _summaries(services, report, done, key)
    _record(
        services,
        cutover_id,
        ReportGenerated(
            formats=["md", "html", "png"],
            archive=done.archive,
            permalink=done.permalink,
            failures=done.failures or None,
        ),
        key,
        services.clock.now(),
    )
    return done


def location(services: Services, cutover_id: str) -> str | None:
    """Where the latest report of a cutover is (S3 URI or thread permalink); None before the first report."""
    latest = eventlog.latest_of_kind(
        engine=services.ledger.db, cutover_id=cutover_id, kind=ReportGenerated.kind
    )
    return report_location([latest] if latest else [])


def _upload(services: Services, client: Any, done: Delivery, key: str) -> None:
    from bot.report.slack_upload import thread_permalink, upload_report
    from bot.slack.channels import channel_id

    try:
        channel = channel_id(client, services.channel)
        ts = services.outbox.ts(f"parent:{done.cutover_id}") if services.outbox is not None else None
        comment = render(
            "report/posted.j2", services.templates_dir, cutover_id=done.cutover_id, archive=done.archive
        )
        done.uploaded = upload_report(client, channel, ts, done.files, title=done.cutover_id, comment=comment)
        done.permalink = thread_permalink(client, channel, ts)
    except Exception as exc:  # noqa: BLE001 - Slack refusing the upload must not stop the rest
        _failed(services, done, "the Slack upload", exc, key)


def _summaries(services: Services, report, done: Delivery, key: str) -> None:
    """The executive summary to each member of the runbook's summary roles, by DM through the outbox."""
    if services.outbox is None:
        return
    from bot.timeline.messages import direct

    text = render(
        "report/summary.j2", services.templates_dir, r=report, location=done.archive or done.permalink
    )
    readers = {
        m.slack_id: m for role in services.plan.summary_roles for m in services.roster.members_of(role)
    }
    for member in readers.values():
        try:
            direct(services, member.slack_id, text, key=f"{key}:summary:{member.slack_id}")
            done.summaries += 1
        except Exception as exc:  # noqa: BLE001
            _failed(services, done, f"the summary to {member.name}", exc, key)


def _anchor(services: Services, s3: Any, bucket: str, cutover_id: str) -> None:
    """The chain head beside the archived report (bot/integrity/anchors.py); a failure is logged only:
    the report is there, and the next report or baseline anchors again."""
    from bot.integrity.anchors import write_anchor
    from storage import eventlog

    try:
        seq, digest = eventlog.chain_head(engine=services.ledger.db, cutover_id=cutover_id)
        where = write_anchor(s3, bucket, cutover_id, seq, digest, services.clock.now())
    except Exception as exc:  # noqa: BLE001 - S3 down, denied: logged, never stops the delivery
        log.warning("report of %s: the chain head was not anchored in S3: %s", cutover_id, exc)
    else:
        log.info("chain head of %s (row %d) anchored at %s", cutover_id, seq, where)


def _failed(services: Services, done: Delivery, what: str, error: Exception, key: str) -> None:
    """Log a failed integration and say so in the cutover thread (through the outbox)."""
    log.warning("report of %s: %s failed: %s", done.cutover_id, what, error)
    done.failures.append(f"{what}: {error}")
    if services.outbox is None:
        return
    from bot.timeline.messages import thread

    try:
        thread(
            services,
            done.cutover_id,
            render(
                "report/integration_failed.j2",
                services.templates_dir,
                cutover_id=done.cutover_id,
                what=what,
                error=str(error)[:300],
            ),
            key=f"{key}:failed:{len(done.failures)}",
        )
    except Exception:  # noqa: BLE001 - the outbox itself failing is logged, the report goes on
        log.exception("could not say in the thread that %s failed", what)


def _record(services: Services, cutover_id: str, event: ReportGenerated, key: str, at: datetime) -> None:
    """Append report.generated once under the job's key, retrying on conflict, and tell the listeners."""
    record_event(services, cutover_id, event, actor=BOT, at=at, key=key)
