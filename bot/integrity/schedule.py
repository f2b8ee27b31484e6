"""The time-driven integrity actions, as a due-source of `bot/timeline/fire.py`.

From T-24h until the window the checklist is re-evaluated every 30 minutes (only the latest slot
fires after a gap); the baseline is captured at T-1h; the East/West reconciliation runs 24 h after
the cutover succeeded; a baseline whose S3 archive failed is retried whenever time is fired. An
action is listed until the state shows it ran at or after its due time, so it fires once; its
request key (`checklist:T-90m:<window>:<cutover>`, `baseline:T-1h:...`, `reconcile:T+24h:...`)
makes a racing second run a no-op.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.integrity import ops
from bot.integrity.jobs import BEFORE_START, jobs_of
from commands.context import Services
from cutover.state import CutoverState, Status
from cutover.timeline.due import DueAction

CHECKLIST_FROM = timedelta(hours=24)
CHECKLIST_EVERY = timedelta(minutes=30)
BASELINE_AT = timedelta(hours=1)
RECONCILE_AFTER = timedelta(hours=24)
ARCHIVE_RETRY_AFTER = timedelta(minutes=1)


def candidates(services: Services, state: CutoverState, t: datetime) -> list[DueAction]:
    """The integrity actions due by t (and the next future ones) for a cutover; none when not wired."""
    if jobs_of(services) is None:
        return []
    found: list[DueAction] = []
    window, cid = state.window_start, state.cutover_id
    integrity = state.integrity
    if window is not None and state.status in BEFORE_START:
        first = window - CHECKLIST_FROM
        slots = (
            [first]
            if t < first
            else [first + ((min(t, window) - first) // CHECKLIST_EVERY) * CHECKLIST_EVERY]
        )
        if slots[0] + CHECKLIST_EVERY < window:
            slots.append(slots[0] + CHECKLIST_EVERY)
        for slot in slots:
            if slot < window and not _done(integrity.checklist_at, slot):
                minutes = int((window - slot).total_seconds() // 60)
                found.append(
                    DueAction(f"checklist:T-{minutes}m:{window.isoformat()}:{cid}", slot, "checklist")
                )
        baseline_at = window - BASELINE_AT
        if not _done(integrity.baseline_at, baseline_at):
            found.append(DueAction(f"baseline:T-1h:{window.isoformat()}:{cid}", baseline_at, "baseline"))
    if state.status == Status.SUCCEEDED and state.ended_at is not None:
        at = state.ended_at + RECONCILE_AFTER
        if not _done(integrity.reconciliation_at, at):
            found.append(DueAction(f"reconcile:T+24h:{cid}", at, "reconcile"))
    baseline = integrity.baseline
    jobs = jobs_of(services)
    if (
        baseline is not None
        and not baseline.get("archive")
        and jobs is not None
        and jobs.archive is not None
        and integrity.baseline_at
    ):
        found.append(
            DueAction(
                f"archive-retry:{cid}:{integrity.baseline_at.isoformat()}",
                integrity.baseline_at + ARCHIVE_RETRY_AFTER,
                "baseline_archive",
            )
        )
    return found


def fire(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """Run one integrity action now (in the scheduler's thread, off any ack path)."""
    jobs = jobs_of(services)
    if jobs is None:  # the due-source lists nothing for services without integrity jobs
        return
    if action.kind == "baseline_archive":
        ops.retry_archive(services, state.cutover_id, jobs.archive)
        return
    jobs.run_now(action.kind, state.cutover_id, ops.BOT, action.key)


def _done(done_at: datetime | None, due: datetime) -> bool:
    return done_at is not None and done_at >= due
