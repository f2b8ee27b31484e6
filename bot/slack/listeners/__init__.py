"""Every listener of the Bolt app, registered in one place, by area."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import acks, actions, home, slash, views


def register(app: App) -> None:
    """Register the slash command, the buttons, the modals and App Home."""
    slash.register(app)
    actions.register(app)
    views.register(app)
    home.register(app)
    acks.register(app)  # the Acknowledge buttons of communications and escalations
