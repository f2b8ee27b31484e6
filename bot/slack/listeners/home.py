"""App Home: publish the live dashboard and the viewer's pending approvals when the tab opens."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.home import home_view
from commands.context import Services


def register(app: App) -> None:
    """Listen for the Home tab opening."""
    app.event("app_home_opened")(home_opened)


def home_opened(event: dict, services: Services, client: WebClient) -> None:
    """Publish the Home tab of the person who opened it."""
    if event.get("tab", "home") != "home":
        return
    user = event["user"]
    client.views_publish(user_id=user, view=home_view(services, user, services.clock.now()))
