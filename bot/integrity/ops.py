"""The slow integrity work: evaluate the checklist, capture a baseline, validate, reconcile.

Each reads the probes, decides with the pure rules (`cutover/integrity/checklist.py`, `cutover/integrity/data_checks.py`),
appends its event (with an optional idempotency key) and posts the outcome in the cutover thread
through the outbox. None of them runs on the ack path: `bot/integrity/jobs.py` runs them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.integrity.gather import checklist_readings, snapshot
from commands.context import Services
from commands.run import record_event
from commands.verbs.gonogo_facts import log_facts
from cutover.events import Event
from cutover.integrity import events as ie
from cutover.integrity.checklist import changes, checklist, log_items, probe_items
from cutover.integrity.data_checks import reconcile, validate
from storage import eventlog
from templates.render import render

log = logging.getLogger(__name__)
BOT = "cutover-bot"


def record(
    services: Services, cutover_id: str, actor: str, event: Event, key: str | None = None
) -> int | None:
    """Append one event (re-reading on Conflict); its seq, or None when the key was already applied."""
    recorded = record_event(services, cutover_id, event, actor=actor, key=key)
    return recorded[0].seq if recorded else None


def post_thread(services: Services, cutover_id: str, template: str, key: str, **context: Any) -> None:
    """Post a templated message in the cutover's thread through the outbox (nothing when no outbox)."""
    if services.outbox is None:
        return
    text = render(template, services.templates_dir, **context)
    services.outbox.enqueue(
        method="chat.postMessage",
        args={"channel": services.channel, "thread_ts": f"{{{{ts:parent:{cutover_id}}}}}", "text": text},
        key=key,
        order=f"thread:{cutover_id}",
    )


def evaluate_checklist(
    services: Services, cutover_id: str, actor: str = BOT, key: str | None = None
) -> list[dict]:
    """Measure and record the checklist; post the items whose result changed."""
    plan, now = services.plan, services.clock.now()
    before = services.ledger.state(cutover_id)
    probed = probe_items(plan, checklist_readings(services.probes, plan))
    items = checklist(plan, probed, log_items(plan, services.roster, log_facts(services, before, now)))
    changed = changes(before.integrity.checklist, items)
    seq = record(services, cutover_id, actor, ie.ChecklistEvaluated(items=[i.as_dict() for i in items]), key)
    if seq is None:
        return []
    if changed:
        post_thread(
            services,
            cutover_id,
            "gonogo/changed.j2",
            f"checklist:{cutover_id}:{seq}",
            changed=changed,
            first=not before.integrity.checklist,
            items=items,
        )
    return [i.as_dict() for i in items]


def capture_baseline(
    services: Services, cutover_id: str, actor: str = BOT, key: str | None = None, archive: Any = None
) -> dict | None:
    """Snapshot the source region, archive it to S3 (a failure is said and retried later), record it."""
    plan, now = services.plan, services.clock.now()
    snap = snapshot(services.probes, plan, plan.from_region)
    uri, error = _archive(services, archive, cutover_id, now, snap)
    payload = {k: snap[k] for k in ("msk", "consumer_lag", "documentdb", "s3", "metrics", "unknown")}
    seq = record(services, cutover_id, actor, ie.BaselineCaptured(**payload, archive=uri), key)
    if seq is None:
        return None
    post_thread(
        services,
        cutover_id,
        "integrity/baseline_thread.j2",
        f"baseline:{cutover_id}:{seq}",
        baseline=payload,
        archive=uri,
        archive_error=error,
        region=plan.from_region,
        at=now,
    )
    return {**payload, "archive": uri}


def retry_archive(services: Services, cutover_id: str, archive: Any) -> str | None:
    """Write the latest baseline to S3 if its archive failed before; record and say it when it works."""
    state = services.ledger.state(cutover_id)
    baseline, at = state.integrity.baseline, state.integrity.baseline_at
    if archive is None or baseline is None or baseline.get("archive") or at is None:
        return None
    uri, error = _archive(services, archive, cutover_id, at, baseline)
    if not uri:
        log.warning("baseline archive of %s still failing: %s", cutover_id, error)
        return None
    if (
        record(services, cutover_id, BOT, ie.BaselineArchived(archive=uri), key=f"baseline-archived:{uri}")
        is not None
    ):
        post_thread(services, cutover_id, "integrity/archived_thread.j2", f"archived:{uri}", archive=uri)
    return uri


def run_validation(
    services: Services, cutover_id: str, actor: str = BOT, key: str | None = None
) -> dict | None:
    """Compare the live region now with the baseline (the target; the origin during a rollback); record and post it."""
    plan = services.plan
    state = services.ledger.state(cutover_id)
    region = plan.from_region if state.rollback is not None else plan.to_region
    current = snapshot(services.probes, plan, region)
    if plan.data_checks is None:  # a runbook without data checks has nothing to validate
        return None
    passed, items = validate(plan.data_checks, state.integrity.baseline, current)
    seq = record(services, cutover_id, actor, ie.ValidationCompleted(passed=passed, items=items), key)
    if seq is None:
        return None
    post_thread(
        services,
        cutover_id,
        "integrity/validation_thread.j2",
        f"validation:{cutover_id}:{seq}",
        passed=passed,
        items=items,
        region=region,
        duties=plan.duty_titles,
        final_gates=[g.number for g in plan.final_gates],
    )
    return {"passed": passed, "items": items}


def run_reconciliation(
    services: Services, cutover_id: str, actor: str = BOT, key: str | None = None
) -> dict | None:
    """Compare East and West; record reconciliation.completed with every difference, and post it."""
    plan = services.plan
    east = snapshot(services.probes, plan, plan.from_region)
    west = snapshot(services.probes, plan, plan.to_region)
    if plan.data_checks is None:  # a runbook without data checks has nothing to reconcile
        return None
    passed, differences = reconcile(plan.data_checks, east, west)
    seq = record(
        services, cutover_id, actor, ie.ReconciliationCompleted(passed=passed, differences=differences), key
    )
    if seq is None:
        return None
    post_thread(
        services,
        cutover_id,
        "integrity/reconciliation_thread.j2",
        f"reconciliation:{cutover_id}:{seq}",
        passed=passed,
        differences=differences,
        east=plan.from_region,
        west=plan.to_region,
    )
    return {"passed": passed, "differences": differences}


def _archive(services: Services, archive: Any, cutover_id: str, at: datetime, body: dict) -> tuple[str, str]:
    """(s3 uri, "") when written; ("", error) when it failed or there is nowhere to write."""
    bucket = services.plan.data_checks.baseline_bucket if services.plan.data_checks else ""
    if archive is None or not bucket:
        return "", "no baseline bucket or archive configured"
    try:
        uri = archive.put_json(bucket, f"{cutover_id}/{at.strftime('%Y%m%dT%H%M%SZ')}.json", body)
    except Exception as exc:  # noqa: BLE001 - S3 down, denied, timeout: said in the thread, retried later
        return "", f"{type(exc).__name__}: {exc}"[:300]
    _anchor(services, archive, bucket, cutover_id)
    return uri, ""


def _anchor(services: Services, archive: Any, bucket: str, cutover_id: str) -> None:
    """The chain head beside the baseline (bot/integrity/anchors.py); a failure is logged only."""
    put_anchor = getattr(archive, "put_anchor", None)
    if put_anchor is None:
        return
    try:
        seq, digest = eventlog.chain_head(engine=services.ledger.db, cutover_id=cutover_id)
        put_anchor(bucket, cutover_id, seq, digest, services.clock.now())
    except Exception as exc:  # noqa: BLE001 - the baseline is archived; the next one anchors again
        log.warning("baseline of %s: the chain head was not anchored in S3: %s", cutover_id, exc)
