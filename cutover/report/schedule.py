"""When the bot writes the report by itself: before the first communication after completion.

The T+24h communication links to the report, so the bot asks for it REPORT_LEAD before that
message falls due; the monitoring period up to then is in it. Someone asking with `/cutover report`
at or after that moment makes it unnecessary.
"""

from __future__ import annotations

from datetime import timedelta

from cutover.plan.model import Runbook
from cutover.state import CutoverState
from cutover.timeline.comms import due_at
from cutover.timeline.due import DueAction

REPORT_LEAD = timedelta(minutes=15)  # written this long before the communication that links to it


def report_due(state: CutoverState, plan: Runbook) -> DueAction | None:
    """The report the bot writes by itself, REPORT_LEAD before the first communication after completion.

    None when no communication follows the completion, while the cutover runs, or once a report
    was asked for at or after that moment (by the bot, or by someone with `/cutover report`).
    """
    messages = plan.communications.messages if plan.communications else []
    due_ats = [due_at(state, m) for m in messages if m.anchor == "completion" and m.offset]
    moments = [m for m in due_ats if m is not None]
    if not moments:
        return None
    due = min(moments) - REPORT_LEAD
    if state.report_requested_at is not None and state.report_requested_at >= due:
        return None
    return DueAction(f"report:before-T+24h:{state.cutover_id}", due, "report")
