"""App Home: publish the live dashboard and the viewer's pending approvals when the tab opens (after the ack)."""

from __future__ import annotations

from slack_bolt import App, BoltContext

from bot.slack.after_ack import ack_then_send, later
from bot.slack.home import home_view
from bot.slack.mrkdwn import fit
from commands.context import Services


def register(app: App) -> None:
    """Listen for the Home tab opening."""
    ack_then_send(app.event("app_home_opened"), home_opened)


def home_opened(event: dict, services: Services, context: BoltContext) -> None:
    """Publish the Home tab of the person who opened it: rendered now, sent once the event is acked."""
    if event.get("tab", "home") != "home":
        return
    user = event["user"]
    view = home_view(services, user, services.clock.now())
    later(context, "views.publish", **fit("views.publish", {"user_id": user, "view": view}))
