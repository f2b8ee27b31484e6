"""Reading the platform through the probes: extended-monitoring checkpoints and critical alarms.

A probe that is missing, fails or times out gives "unknown" readings that the summary states;
it never blocks the checkpoint, the status cadence or an escalation.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from bot.timeline import messages as msg
from bot.timeline.record import base, record
from commands.context import Services
from cutover.state import CutoverState
from cutover.timeline import events as te
from cutover.timeline import monitoring
from cutover.timeline.due import DueAction

log = logging.getLogger(__name__)
READING_FIELDS = monitoring.METRICS


def read_metrics(services: Services, region: str) -> tuple[dict, str]:
    """The four metrics of a region (None where unknown) and the error, if the probe failed."""
    probe = getattr(services.probes, "metrics", None) if services.probes else None
    if probe is None:
        return dict.fromkeys(READING_FIELDS), "no metrics probe is configured"
    try:
        reading = probe.metrics(region)
    except Exception as exc:  # noqa: BLE001 - a probe failing is "unknown", said in the summary
        log.warning("metrics probe failed: %s", exc)
        return dict.fromkeys(READING_FIELDS), f"{type(exc).__name__}: {exc}"
    values = asdict(reading)
    return {name: values.get(name) for name in READING_FIELDS}, values.get("error", "")


def checkpoint(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """One monitoring checkpoint: read, judge against the window and the baseline, post, record."""
    plan = services.plan
    window = monitoring.window_named(plan, action.data["window"])
    metrics, error = read_metrics(services, plan.to_region)
    baseline = (state.integrity.baseline or {}).get("metrics") if state.integrity.baseline else None
    judged = monitoring.judge(metrics, window.thresholds, baseline)
    breaches = [msg.text(services, "time/monitoring_breach.j2", j=j) for j in monitoring.breaches(judged)]
    context = {
        **base(services, state, action, t),
        "window": window,
        "index": action.data["index"],
        "judged": judged,
        "breaches": breaches,
        "error": error,
        "has_baseline": bool(baseline),
        "since_completion": t - state.ended_at if state.ended_at else None,
    }
    msg.thread(
        services, state.cutover_id, msg.text(services, "time/monitoring.j2", **context), key=action.key
    )
    event = te.MonitoringCheckpoint(
        window=window.name,
        metrics=metrics,
        thresholds=window.thresholds.model_dump(),
        breaches=breaches,
        key=action.key,
    )
    record(services, state.cutover_id, event, action.key, t)


def poll_alarms(services: Services, state: CutoverState, t: datetime) -> None:
    """Record `alarm.critical` when the set of critical alarms in ALARM changes (escalations follow)."""
    probe = getattr(services.probes, "alarms", None) if services.probes else None
    if probe is None:
        return
    try:
        reading = probe.critical_alarms()
    except Exception as exc:  # noqa: BLE001 - unknown is not a pass, but it is not an alarm either
        log.warning("alarm probe failed: %s", exc)
        return
    if reading.ok is None:
        return
    names = sorted(reading.value or [])
    if names == sorted(state.time.alarms):
        return
    key = f"alarm:{state.cutover_id}:{state.seq}:{','.join(names)}"
    if names:
        context = {"state": state, "plan": services.plan, "now": t, "alarms": names}
        msg.thread(
            services,
            state.cutover_id,
            msg.text(services, "time/alarm.j2", **context),
            key=key,
            broadcast=True,
        )
    record(services, state.cutover_id, te.CriticalAlarm(alarms=names), key, t)
