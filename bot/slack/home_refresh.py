"""Keeping App Home live: republish every roster member's Home tab when the dashboard changes.

The Home tab is refreshed with each status update (every 2 minutes while under way) and whenever a
gate opens or is decided, a stage opens, or the cutover starts, ends or rolls back, so the pending
approvals a person sees are never stale. Publishing goes through the outbox (retried, never before an
ack); each publish has a key, so a repeat is a no-op.
"""

from __future__ import annotations

from bot.slack.home import home_view
from bot.timeline.messages import batch
from commands.context import Services
from cutover.events import Recorded, kind_of
from cutover.state import CutoverState

REFRESH_ON = frozenset(
    {
        "status.posted",
        "cutover.started",
        "stage.opened",
        "gate.opened",
        "gate.approved",
        "gate.rejected",
        "rollback.ordered",
        "rollback.completed",
        "rollback.failed",
        "cutover.succeeded",
        "cutover.aborted",
        "cutover.paused",
        "cutover.resumed",
    }
)


def refresh_homes(services: Services, state: CutoverState, recorded: list[Recorded]) -> None:
    """A `services.listeners` entry: republish the Home tabs when something they show has changed."""
    if services.outbox is None or not any(kind_of(r.event) in REFRESH_ON for r in recorded):
        return
    now = recorded[-1].at
    with batch(services):  # one transaction for the whole roster, not one per person
        for member in services.roster.everyone():
            services.outbox.enqueue(
                method="views.publish",
                args={"user_id": member.slack_id, "view": home_view(services, member.slack_id, now)},
                key=f"home:{member.slack_id}:{state.cutover_id}:{state.seq}",
                order=f"home:{member.slack_id}",
            )
