"""Reading the probes into the shapes the pure rules take: checklist readings and data snapshots."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cutover.integrity.checklist import ProbeReadings
from cutover.integrity.data_checks import location_names
from cutover.plan.model import Runbook
from cutover.probes import Probes, Reading


def checklist_readings(probes: Probes | None, plan: Runbook) -> ProbeReadings:
    """Readiness, critical alarms and each dependency with a health endpoint (None: probe not configured)."""
    if probes is None:
        return ProbeReadings()
    deps: dict[str, Reading | None] = {}
    for dep in plan.business.external_dependencies if plan.business else []:
        if dep.health_url:
            deps[dep.key] = (
                _safe(lambda d=dep: probes.dependencies.health(d.key, d.health_url), "http")
                if probes.dependencies
                else Reading(ok=None, source="http", error="no dependency probe configured")
            )
    return ProbeReadings(
        readiness=_safe(probes.readiness.readiness, "readiness") if probes.readiness else None,
        critical_alarms=_safe(probes.alarms.critical_alarms, "alarms") if probes.alarms else None,
        dependencies=deps,
    )


def snapshot(probes: Probes | None, plan: Runbook, region: str) -> dict[str, Any]:
    """MSK counts and lag, DocumentDB counts/checksums, S3 keys/ETags and metrics in one region."""
    checks = plan.data_checks
    snap: dict[str, Any] = {
        "region": region,
        "msk": {},
        "consumer_lag": {},
        "documentdb": {},
        "s3": {},
        "metrics": {},
        "unknown": {},
    }
    if probes is None or checks is None:
        snap["unknown"]["probes"] = "no probes configured"
        return snap
    msk, documentdb = probes.msk, probes.documentdb
    parts = [
        ("msk", msk and (lambda: msk.topic_counts(region, checks.msk_topics))),
        ("consumer_lag", msk and (lambda: msk.consumer_lag(region, checks.consumer_groups))),
        (
            "documentdb",
            documentdb
            and (lambda: documentdb.collection_stats(region, checks.collections, checks.checksum_field)),
        ),
    ]
    for name, read in parts:
        reading = (
            _safe(read, name) if read else Reading(ok=None, source=name, error=f"no {name} probe configured")
        )
        snap[name] = dict(reading.value or {})
        if reading.ok is None:
            snap["unknown"][name] = reading.error
    for loc, location in zip(location_names(checks), checks.s3, strict=True):
        if probes.s3 is None:
            snap["unknown"]["s3"] = "no S3 probe configured"
            break
        reading = _safe(lambda loc_=location: probes.s3.objects(region, loc_.bucket, loc_.prefix), "s3")
        if reading.ok is None:
            snap["unknown"]["s3"] = f"{loc}: {reading.error}"
            continue
        snap["s3"][loc] = {"count": len(reading.value), "keys": dict(reading.value)}
    if probes.metrics is not None:
        try:
            metrics = asdict(probes.metrics.metrics(region))
        except Exception as exc:  # noqa: BLE001 - a probe bug must not lose the baseline
            metrics = {"error": f"{type(exc).__name__}: {exc}"}
        snap["metrics"] = {
            k: metrics.get(k) for k in ("error_rate_pct", "latency_p95_ms", "throughput", "replication_lag_s")
        }
        if metrics.get("error"):
            snap["unknown"]["metrics"] = metrics["error"]
    return snap


def _safe(read, source: str) -> Reading:
    """A probe call that raised is unknown, never a pass."""
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - any probe failure is an unknown reading
        return Reading(ok=None, source=source, error=f"{type(exc).__name__}: {exc}"[:300])
