"""The operators' CloudWatch dashboard (seed 2.5): metrics put while the cutover runs, and the dashboard itself.

Metrics (namespace from the runbook, dimension `Cutover`): `Phase` (the stage running; -1 before
the start, 99 once ended), `ElapsedSeconds`, `RemainingSeconds` (to the estimated completion),
`Status` (0 green, 1 yellow, 2 red), `Escalations` (open, unacknowledged episodes) and
`DegradationLevel`. `put_dashboard` writes the dashboard: a text widget with the seed's six fields
(current phase, current step, time elapsed, time remaining, status, next phase), then a graph of
each metric. It is rewritten at every publication, so the text always says where things stand.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.home import headline
from commands.context import Services
from cutover.progress import dashboard as progress_dashboard
from cutover.state import CutoverState
from cutover.status.page import StatusView
from templates.render import render

COLOUR_VALUE = {"green": 0, "yellow": 1, "red": 2}
METRICS = ("Phase", "ElapsedSeconds", "RemainingSeconds", "Status", "Escalations", "DegradationLevel")


def metric_values(state: CutoverState, view: StatusView) -> dict[str, float]:
    """The six metrics of the cutover at the view's moment."""
    now = view.updated_at
    stage = max(state.stage_opened) if state.stage_opened else -1
    if state.terminal:
        stage = 99
    elapsed = ((state.ended_at or now) - state.started_at).total_seconds() if state.started_at else 0.0
    remaining = max((view.eta - now).total_seconds(), 0.0) if view.eta and not state.terminal else 0.0
    open_episodes = [k for k in state.time.episodes if k not in state.time.acknowledged]
    return {
        "Phase": float(stage),
        "ElapsedSeconds": elapsed,
        "RemainingSeconds": remaining,
        "Status": float(COLOUR_VALUE[view.colour]),
        "Escalations": float(len(open_episodes)),
        "DegradationLevel": float(view.level),
    }


def dashboard_body(services: Services, state: CutoverState, view: StatusView, region: str) -> dict[str, Any]:
    """The dashboard's JSON body: the six fields as text, then one graph per metric."""
    page = services.plan.status_page
    assert page is not None, "published only when the runbook has a status page"
    six = headline(progress_dashboard(state, services.plan, view.updated_at))
    text = render("status/dashboard.md.j2", services.templates_dir, h=six, v=view)
    widgets: list[dict[str, Any]] = [
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 6, "properties": {"markdown": text}}
    ]
    for i, name in enumerate(METRICS):
        widgets.append(
            {
                "type": "metric",
                "x": (i % 3) * 8,
                "y": 6 + (i // 3) * 6,
                "width": 8,
                "height": 6,
                "properties": {
                    "title": name,
                    "region": region,
                    "stat": "Maximum",
                    "period": 60,
                    "view": "timeSeries",
                    "metrics": [[page.metrics_namespace, name, "Cutover", state.cutover_id]],
                },
            }
        )
    return {"widgets": widgets}


def publish(services: Services, cloudwatch: Any, state: CutoverState, view: StatusView) -> None:
    """Put the metrics, then (when the runbook names one) rewrite the dashboard."""
    page = services.plan.status_page
    assert page is not None, "published only when the runbook has a status page"
    values = metric_values(state, view)
    cloudwatch.put_metric_data(
        Namespace=page.metrics_namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": "Cutover", "Value": state.cutover_id}],
                "Timestamp": view.updated_at,
                "Value": value,
                "Unit": "Seconds" if name.endswith("Seconds") else "None",
            }
            for name, value in values.items()
        ],
    )
    if page.dashboard:
        region = cloudwatch.meta.region_name
        body = dashboard_body(services, state, view, region)
        cloudwatch.put_dashboard(DashboardName=page.dashboard, DashboardBody=json.dumps(body))
