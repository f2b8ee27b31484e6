"""The Bolt app: one factory, one middleware that hands every listener the services, one error handler.

HTTP, Socket Mode, the console and the tests all reach the bot through `App.dispatch` of an app
built here. Listeners live in `bot/slack/listeners/` and never import this module.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.outbox.claims import SLACK_TIMEOUT_S
from bot.outbox.direct import ImmediateOutbox
from bot.settings import Settings
from bot.slack.announcer import announce
from bot.slack.home_refresh import refresh_homes
from bot.slack.listeners import register
from bot.slack.listeners.common import answer_channel
from bot.slack.replies import error_text, unexpected_text
from commands.context import Outbox, Services
from cutover.errors import CutoverError

log = logging.getLogger(__name__)


def slack_client(settings: Settings) -> WebClient:
    """The Web API client of the settings (SLACK_API_URL points it at a proxy or a fake Slack)."""
    if settings.slack_api_url:
        return WebClient(
            token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT_S
        )
    return WebClient(token=settings.slack_bot_token, timeout=SLACK_TIMEOUT_S)


def wire_slack(
    services: Services, client: WebClient, *, channel: str | None = None, outbox: Outbox | None = None
) -> Services:
    """Give the services a Slack outbox (immediate unless one is given), the channel, the announcer, App Home."""
    if outbox is not None:
        services.outbox = outbox
    elif services.outbox is None:
        services.outbox = ImmediateOutbox(client)
    if channel:
        services.channel = channel
    for listener in (announce, refresh_homes):
        if listener not in services.listeners:
            services.listeners.append(listener)
    services.slack = client
    return services


Responder = Callable[[BoltContext, dict], Callable[..., Any]]


def create_app(
    settings: Settings,
    services: Services,
    *,
    client: WebClient | None = None,
    responder: Responder | None = None,
) -> App:
    """The Bolt app of the bot, answering with these services through this Web API client.

    `responder` (the console's) replaces Bolt's `respond`, which would POST to the response_url.
    """
    client = client or slack_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=False,
        process_before_response=True,
        before_authorize=UseOurClient(client),
        name="cutover-bot",
    )
    app.use(HandOverServices(services, responder))
    register(app)

    @app.error
    def explain(error: Exception, request: BoltRequest, context: BoltContext) -> BoltResponse:
        return _explain(error, request, context, services)

    return app


class UseOurClient(Middleware):
    """Bolt builds a fresh WebClient per request; ours records (console) or points at SLACK_API_URL.

    Middleware as classes: Bolt calls them directly, without inspecting arguments on every request.
    """

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:  # noqa: A002
        req.context["client"] = self.client
        return next()


class HandOverServices(Middleware):
    """Every listener gets the services and the acting Slack user (and the console's `respond`)."""

    def __init__(self, services: Services, responder: Responder | None) -> None:
        self.services, self.responder = services, responder

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:  # noqa: A002
        context = req.context
        context["services"] = self.services
        context["actor"] = context.user_id
        if self.responder is not None:
            context["respond"] = self.responder(context, req.body)
        return next()


def _explain(
    error: Exception, request: BoltRequest, context: BoltContext, services: Services
) -> BoltResponse:
    """A refusal becomes its templated sentence, anything else a correlation id; never a traceback."""
    if isinstance(error, CutoverError):
        text = error_text(error, services.templates_dir)
        context["ack_outcome"] = "refused"  # /metrics counts acks by outcome
    else:
        text = unexpected_text(error, services.templates_dir)
        context["ack_outcome"] = "failed"
    body: dict[str, Any] = request.body or {}
    if "command" in body:  # a slash command: the refusal is the ack's ephemeral answer
        return _json({"response_type": "ephemeral", "text": text})
    try:
        _tell_privately(context, services, body, text)
    except Exception:  # noqa: BLE001 - the refusal could not be shown; the log has it
        log.exception("could not show a refusal to %s", context.user_id)
    return BoltResponse(status=200, body="")


def _tell_privately(context: BoltContext, services: Services, body: dict, text: str) -> None:
    """An ephemeral message to the person who clicked or submitted, where they did it."""
    if context.user_id and context.client is not None:
        context.client.chat_postEphemeral(
            channel=answer_channel(services, body), user=context.user_id, text=text
        )


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})
