"""Publishing the status page when it falls due: S3 (static website), Statuspage, CloudWatch; then the event.

Each target is optional (`services.status_targets`: `s3`, `statuspage`, `cloudwatch`) and
independent: one failing is logged and recorded in the event, and never stops the others; the next
publication (at the latest `update_every` later) brings it up to date. The event is recorded even
when no target is wired, so the page served by the bot keeps its history of updates.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime
from typing import Any

from bot.status import dashboard, render
from bot.status.statuspage import COMPONENT_STATUS, MAINTENANCE_STATUS, StatuspageClient
from bot.status.website import ensure_public, ensure_website
from bot.timeline.record import record
from commands.context import Services
from cutover.state import CutoverState
from cutover.status import schedule
from cutover.status.events import StatusPublished, Update
from cutover.status.page import StatusView, status_view
from cutover.timeline.due import DueAction
from templates.render import render as render_text

log = logging.getLogger(__name__)


def candidates(services: Services, state: CutoverState, t: datetime) -> list[DueAction]:
    """The due-source's candidates (cutover/status/schedule.py)."""
    return schedule.candidates(state, services.plan, t)


def published_view(services: Services, state: CutoverState, action: DueAction, t: datetime) -> StatusView:
    """The page as published at t: the history includes this very update."""
    view = status_view(state, services.plan, t)
    update = Update(t, view.phase, view.level, view.colour, view.eta)
    return dataclasses.replace(view, history=[update, *view.history])


def fire(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """Publish the status page to every wired target, then record the update (with what failed)."""
    view = published_view(services, state, action, t)
    targets, failures = [], []
    refs: dict[str, str] = {}
    for name, publish in PUBLISHERS.items():
        client = getattr(services.status_targets, name)
        if client is None:
            continue
        try:
            refs.update(publish(services, client, state, view) or {})
            targets.append(name)
        except Exception as exc:  # noqa: BLE001 - one target failing never stops the others
            log.warning("status page: publishing to %s failed: %s", name, exc)
            failures.append(f"{name}: {str(exc)[:200]}")
    event = StatusPublished(
        key=action.key,
        phase=view.phase,
        level=view.level,
        colour=view.colour,
        eta=view.eta.isoformat() if view.eta else "",
        targets=targets,
        failures=failures or None,
        refs=refs or None,
    )
    record(services, state.cutover_id, event, action.key, t)


def to_s3(services: Services, s3: Any, state: CutoverState, view: StatusView) -> None:
    """index.html and status.json under the runbook's bucket and prefix, then the bucket's website hosting
    made sure of and its public read checked (bot/status/website.py): a bucket that does not serve the
    page, or serves it only to the authenticated, is this target's failure."""
    page = services.plan.status_page
    assert page is not None, "published only when the runbook has a status page"
    prefix = f"{page.s3_prefix.strip('/')}/" if page.s3_prefix.strip("/") else ""
    html = render.status_html(services, view).encode("utf-8")
    doc = json.dumps(render.status_json(services, view), ensure_ascii=False, indent=1).encode("utf-8")
    for key, body, content_type in (
        ("index.html", html, "text/html; charset=utf-8"),
        ("status.json", doc, "application/json"),
    ):
        s3.put_object(
            Bucket=page.s3_bucket,
            Key=prefix + key,
            Body=body,
            ContentType=content_type,
            CacheControl="no-cache, max-age=0",
        )
    ensure_website(s3, page.s3_bucket)
    ensure_public(s3, page.s3_bucket, services.status_targets.s3_account)


def to_statuspage(
    services: Services, client: StatuspageClient, state: CutoverState, view: StatusView
) -> dict[str, str]:
    """The component's status, and the cutover's maintenance created once then updated; its id in refs."""
    target = services.plan.status_page.statuspage if services.plan.status_page else None
    if target is None:
        return {}
    client.set_component(target.page_id, target.component_id, COMPONENT_STATUS[view.level])
    body = render_text("status/statuspage_update.j2", services.templates_dir, v=view)
    status = MAINTENANCE_STATUS.get(view.phase)
    if status is None:
        return {}
    incident_id = state.status_page.refs.get("statuspage_maintenance")
    if incident_id:
        client.update_incident(target.page_id, incident_id, {"status": status, "body": body})
        return {}
    incident = {
        "name": render_text("status/statuspage_name.j2", services.templates_dir, v=view, plan=services.plan),
        "status": status,
        "body": body,
        "component_ids": [target.component_id],
        "components": {target.component_id: COMPONENT_STATUS[view.level]},
    }
    if view.window_start:
        incident["scheduled_for"] = view.window_start.isoformat()
        incident["scheduled_until"] = (view.window_start + view.planned_duration).isoformat()
    return {"statuspage_maintenance": client.create_incident(target.page_id, incident)}


PUBLISHERS = {  # by the name of their field in Services.status_targets
    "s3": to_s3,
    "statuspage": to_statuspage,
    "cloudwatch": dashboard.publish,
}
