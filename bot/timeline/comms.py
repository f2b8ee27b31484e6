"""Sending one message of the communications plan to its audiences: Slack channels, user groups, email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from bot.timeline import messages as msg
from bot.timeline.record import base, record
from commands.context import Services
from cutover.errors import Problem
from cutover.plan.model import Runbook
from cutover.state import CutoverState, Status
from cutover.status.eta import estimated_completion, remaining
from cutover.timeline import events as te
from cutover.timeline.comms import comm_key
from cutover.timeline.due import DueAction
from templates.render import render_sandboxed, render_text_sandboxed


def comm_context(services: Services, state: CutoverState, now: datetime | None = None) -> dict:
    """The facts every communication template may use (see templates/comms/*.j2).

    With `now`: the estimated completion (`eta`, computed from the plan and the progress) and the
    time still expected (`remaining`); `status_url`, `hotline` and `status_channel` come from the
    runbook's status page; `scheduled_late` is how much shorter than planned the notice is, when the
    window was set after the message's moment (not a delay of the bot).
    """
    report_url = services.reports.location(state.cutover_id) if services.reports is not None else ""
    return comm_facts(services.plan, state, now, report_url)


def comm_facts(plan: Runbook, state: CutoverState, now: datetime | None, report_url: str) -> dict:
    """`comm_context` from the plan alone (plan check renders with it: no report location yet)."""
    business = plan.business
    zone = ZoneInfo(business.timezone) if business else None
    window = state.window_start
    local = window.astimezone(zone) if window and zone else None
    level1 = plan.degradation_level(1)
    page = plan.status_page
    return {
        "window": f"{window:%Y-%m-%d %H:%M} UTC" if window else "(not scheduled)",
        "window_local": f"{local:%Y-%m-%d %H:%M %Z}" if local else "",
        "duration": plan.sla.target_duration,
        "acceptable_downtime": plan.sla.acceptable_downtime,
        "impact": business.impact if business else [],
        "workarounds": business.manual_workarounds if business else [],
        "affected": level1.affected if level1 else [],
        "available": level1.available if level1 else [],
        "from_region": plan.from_region,
        "to_region": plan.to_region,
        "title": plan.title,
        "outcome": state.status.value,
        "started_at": state.started_at,
        "ended_at": state.ended_at,
        "report_url": report_url,
        "eta": estimated_completion(state, plan, now) if now and state.window_start else None,
        "remaining": remaining(state, plan, now) if now else None,
        "status_url": page.url if page else "",
        "hotline": page.hotline if page else "",
        "status_channel": page.channel if page else "",
        "monitoring_runs": state.status == Status.SUCCEEDED
        and bool(plan.monitoring and plan.monitoring.windows),
        "monitoring_hours": _monitoring_hours(plan),
    }


def _monitoring_hours(plan) -> int:
    """How long extended monitoring runs after a success (0 without a monitoring plan)."""
    windows = plan.monitoring.windows if plan.monitoring else []
    return int(max((w.end for w in windows), default=timedelta()).total_seconds() // 3600)


def scheduled_late(state: CutoverState, due_at: datetime) -> bool:
    """True when the message's moment had passed before its window was even scheduled."""
    return state.scheduled_at is not None and due_at < state.scheduled_at


def send_communication(services: Services, state: CutoverState, action: DueAction, t: datetime) -> None:
    """Queue the message to every audience (an Acknowledge button where it needs one), then record it sent."""
    plan, cid = services.plan, state.cutover_id
    message_id = action.data.get("message_id", action.data["comm_id"])  # a repeated message's slot: <id>#<n>
    communications = plan.communications
    if communications is None:  # nothing is due for a runbook without a communications plan
        return
    message = next(m for m in communications.messages if m.id == message_id)
    key = comm_key(action.data["comm_id"], cid)
    context = {**base(services, state, action, t), **comm_context(services, state, t), "message": message}
    context["scheduled_late"] = scheduled_late(state, action.at)
    context["late"] = context["late"] and not context["scheduled_late"]
    subject = render_text_sandboxed(message.subject, services.templates_dir, **context)
    context["subject"] = subject
    body = render_sandboxed(message.template, services.templates_dir, **context)
    for name in message.audiences:
        audience = communications.audiences[name]
        mentions = [f"<!subteam^{group}>" for group in audience.user_groups]
        slack_context = {
            **context,
            "body": body,
            "mentions": mentions,
            "audience": name,
            "ack_value": f"{cid}|{message.id}|{name}",
        }
        slack_text = msg.text(services, "time/comm_slack.j2", **slack_context)
        blocks = msg.blocks(services, "time/comm.json.j2", text=slack_text, **slack_context)
        channels = list(audience.slack_channels) or ([services.channel] if mentions else [])
        for channel in channels:
            msg.channel(services, channel, slack_text, key=f"{key}:slack:{name}:{channel}", blocks_=blocks)
        if audience.emails:
            email_body = msg.text(
                services, "time/comm_email.j2", **{**context, "body": body, "audience": name}
            )
            msg.email(
                services,
                list(audience.emails),
                subject,
                email_body,
                key=f"{key}:email:{name}",
                cutover_id=cid,
            )
    event = te.CommSent(
        comm_id=action.data["comm_id"],
        audiences=list(message.audiences),
        subject=subject,
        late_by_s=action.late_by(t).total_seconds(),
    )
    record(services, cid, event, key, t)


SAMPLE_WINDOW = datetime(2030, 1, 15, 2, 0, tzinfo=UTC)  # any moment: the check renders, it does not send


def template_problems(plan: Runbook, templates_dir: str | None = None) -> list[Problem]:
    """`field.path: problem` for each communication whose subject or template fails in the sandbox
    (unsafe code, a syntax error, an unknown variable or template), rendered as the bot would send it."""
    if plan.communications is None:
        return []
    state = CutoverState(cutover_id="plan-check", status=Status.SCHEDULED, window_start=SAMPLE_WINDOW)
    shared = {
        "state": state,
        "plan": plan,
        "now": SAMPLE_WINDOW,
        "due_at": SAMPLE_WINDOW,
        "late_by": timedelta(),
        "late": False,
        "cutover_id": state.cutover_id,
        **comm_facts(plan, state, SAMPLE_WINDOW, report_url=""),
    }
    problems = []
    for i, message in enumerate(plan.communications.messages):
        context = {**shared, "message": message}
        where = f"communications.messages[{i}]"
        try:
            context["subject"] = render_text_sandboxed(message.subject, templates_dir, **context)
        except Exception as exc:  # noqa: BLE001 - any failure is the runbook's problem, said in one line
            problems.append(_template_failure(f"{where}.subject", exc))
            context["subject"] = message.subject
        try:
            render_sandboxed(message.template, templates_dir, **context)
        except Exception as exc:  # noqa: BLE001
            problems.append(_template_failure(f"{where}.template", exc))
    return problems


def _template_failure(where: str, exc: Exception) -> Problem:
    """A template that failed to render, as a plan problem (templates/cli/_plan_problem.j2 words it)."""
    if isinstance(exc, SecurityError):
        return Problem(where, "template_refused", {"error": str(exc)})
    if isinstance(exc, TemplateNotFound):
        return Problem(where, "template_missing", {"name": exc.name})
    if isinstance(exc, TemplateSyntaxError):
        return Problem(where, "template_syntax", {"line": exc.lineno, "message": exc.message})
    first = str(exc).splitlines()[0] if str(exc) else ""
    return Problem(where, "template_fails", {"error_type": type(exc).__name__, "error": first})
