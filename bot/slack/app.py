"""The Bolt app: one factory, one middleware that hands every listener the services, one error handler.

HTTP, Socket Mode, the console and the tests all reach the bot through `App.dispatch` of an app
built here. Listeners live in `bot/slack/listeners/` and never import this module.

Acks never wait on Slack: listeners run on local state only and queue their Web API calls for
right after the ack (`bot/slack/after_ack.py`). `auth.test`, which Bolt would otherwise make on
the first request, is made when the app is built. The client of direct calls retries a 429 after
its Retry-After; the outbox's client does not (the outbox paces itself, `bot/outbox/pacing.py`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.outbox.claims import SLACK_TIMEOUT_S
from bot.outbox.direct import ImmediateOutbox
from bot.settings import Settings
from bot.slack.after_ack import EXECUTOR, after_ack_executor, send_later
from bot.slack.announcer import announce
from bot.slack.channels import resolved
from bot.slack.home_refresh import refresh_homes
from bot.slack.listeners import register
from bot.slack.listeners.common import modal_metadata, private
from bot.slack.mrkdwn import fit_reply
from bot.slack.replies import error_text, unexpected_text
from commands.context import Outbox, Services
from cutover.errors import CutoverError

log = logging.getLogger(__name__)


RATE_LIMIT_RETRIES = 3  # a call outside the outbox waits Retry-After and tries again, this many times


def slack_client(settings: Settings) -> WebClient:
    """The Web API client of direct calls (SLACK_API_URL points it at a proxy or a fake Slack).

    It retries connection errors and, after Slack's Retry-After, 429s: the calls made outside the
    outbox (private answers, modals, the Home tab, uploads) are not lost to a rate limit.
    """
    handlers = [ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
    if settings.slack_api_url:
        return WebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            timeout=SLACK_TIMEOUT_S,
            retry_handlers=handlers,
        )
    return WebClient(token=settings.slack_bot_token, timeout=SLACK_TIMEOUT_S, retry_handlers=handlers)


def user_client(settings: Settings) -> WebClient | None:
    """A client with the optional user token (SLACK_USER_TOKEN), or None: it only reads channel threads,
    which Slack refuses to bot tokens (conversations.replies), to look for a reply after a crash."""
    if not settings.slack_user_token:
        return None
    return WebClient(
        token=settings.slack_user_token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        timeout=SLACK_TIMEOUT_S,
        retry_handlers=[ConnectionErrorRetryHandler()],
    )


def outbox_client(client: WebClient) -> WebClient:
    """The same Slack for the outbox, without the 429 retries: the outbox paces itself on Retry-After."""
    if type(client) is not WebClient:  # a stand-in (the console's recording client) serves both
        return client
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[ConnectionErrorRetryHandler()],
    )


def wire_slack(
    services: Services, client: WebClient, *, channel: str | None = None, outbox: Outbox | None = None
) -> Services:
    """Give the services a Slack outbox (immediate unless one is given), the channel, the announcer, App Home."""
    if outbox is not None:
        services.outbox = outbox
    elif services.outbox is None:
        services.outbox = ImmediateOutbox(client, email=getattr(client, "record_email", None))
    if channel:
        services.channel = resolved(client, channel)  # chat.update, permalinks and uploads need the ID
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
    after_ack: Executor | None = None,
) -> App:
    """The Bolt app of the bot, answering with these services through this Web API client.

    `responder` (the console's) replaces Bolt's `respond`, which would POST to the response_url;
    `after_ack` runs the Slack calls queued for after the ack (default: a pool of threads).
    Building it calls `auth.test` (a refused token raises BoltError), so no request waits for it.
    """
    client = client or slack_client(settings)
    executor = after_ack or after_ack_executor()
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=True,
        process_before_response=True,
        listener_executor=executor,
        before_authorize=UseOurClient(client),
        name="cutover-bot",
    )
    app.use(HandOverServices(services, responder, executor))
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

    def __init__(self, services: Services, responder: Responder | None, after_ack: Executor) -> None:
        self.services, self.responder, self.after_ack = services, responder, after_ack

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:  # noqa: A002
        context = req.context
        context["services"] = self.services
        context["actor"] = context.user_id
        context[EXECUTOR] = self.after_ack  # where the calls queued for after the ack are made
        if self.responder is not None:
            context["respond"] = self.responder(context, req.body)
        elif context.get("respond") is None and (url := modal_metadata(req.body).get("response_url")):
            context["respond"] = Respond(response_url=url)  # a reason modal answers through its click's URL
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
    text = fit_reply({"text": text})["text"]
    body: dict[str, Any] = request.body or {}
    if "command" in body:  # a slash command: the refusal is the ack's ephemeral answer
        return _json({"response_type": "ephemeral", "text": text})
    if isinstance(error, CutoverError) and error.context.get("quiet"):
        return BoltResponse(
            status=200, body=""
        )  # a flood of refused clicks: counted, not answered one by one
    if context.user_id:  # said privately where they clicked or submitted, right after the ack
        private(context, services, body, context.user_id, text)
        send_later(context)
    return BoltResponse(status=200, body="")


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})
