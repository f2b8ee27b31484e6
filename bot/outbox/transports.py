"""Transports: how one queued call reaches its service (Slack's Web API, SES), and how it can fail.

A transport's `send` returns the value to save for the row (a message `ts`, a DM channel id) or raises
`Retry` (worth trying again: 429, 5xx, timeouts; `rate_limited` with Slack's Retry-After) or `Refused`
(no retry can fix it). `Transports` routes a method to its transport and says whether its calls are
paced (Slack's per-method rate limits). A new kind of call (an interactive answer to a response_url,
say) is a new transport and a route here; the deliverer does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.slack.mrkdwn import fit

SES_METHOD = "ses.send_email"
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class Retry(Exception):
    """A failure worth retrying, with an optional wait the server asked for."""

    def __init__(self, message: str, after: float | None = None, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.after, self.rate_limited = after, rate_limited


class Refused(Exception):
    """A refusal no retry can fix."""


class Transport(Protocol):
    """Sends one call of its service."""

    def send(self, method: str, args: dict[str, Any]) -> str | None:
        """Deliver one call; the value to save (ts, channel id) or None; Retry or Refused when it fails."""
        ...


class SlackTransport:
    """Slack's Web API through a slack_sdk WebClient (its own retry handlers are the caller's choice)."""

    def __init__(self, client: Any, reader: Any = None) -> None:
        self.client = client
        self.reader = reader  # a client with the user token: reads channel threads (bot/outbox/lookup.py)

    def send(self, method: str, args: dict[str, Any]) -> str | None:
        """One Web API call; 429 and 5xx are retried, other refusals are final."""
        try:
            response = self.client.api_call(method, json=fit(method, args))  # escaped, within Slack's limits
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            if status == 429:
                headers = exc.response.headers
                after = float(headers.get("Retry-After") or headers.get("retry-after") or 1)
                raise Retry(f"rate limited (429), Retry-After {after:g}s", after, rate_limited=True) from None
            if status >= 500 or error in RETRYABLE_ERRORS:
                raise Retry(f"Slack answered {status} {error}".strip()) from None
            raise Refused(f"Slack refused {method}: {error or status}") from None
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors, unreadable answers
            raise Retry(f"{type(exc).__name__}: {exc}") from None
        channel = response.get("channel")
        return response.get("ts") or (channel.get("id") if isinstance(channel, dict) else None)

    def find_posted(self, args: dict[str, Any], key: str, since: datetime | None = None) -> str | None:
        """The ts of the message posted under this outbox key, if Slack has it (bot/outbox/lookup.py);
        Retry when Slack cannot be asked now (the row waits: it is never sent blind)."""
        from bot.outbox.lookup import find_posted

        try:
            return find_posted(self.client, args, key, since, self.reader)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                after = float(exc.response.headers.get("Retry-After") or 1)
                raise Retry(
                    "looking for an earlier send: rate limited (429)", after, rate_limited=True
                ) from None
            raise Retry(f"looking for an earlier send: {exc.response.get('error', '')}") from None
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors
            raise Retry(f"looking for an earlier send: {type(exc).__name__}: {exc}") from None


class SesTransport:
    """Plain-text email through a boto3 SES client, from one configured sender."""

    def __init__(self, client: Any, source: str) -> None:
        self.client, self.source = client, source

    def send(self, method: str, args: dict[str, Any]) -> str | None:
        """One email; every failure (throttling, outage, credentials) is retried."""
        try:
            self.client.send_email(
                Source=self.source,
                Destination={"ToAddresses": list(args["to"])},
                Message={
                    "Subject": {"Data": args["subject"], "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": args["body"], "Charset": "UTF-8"}},
                },
            )
        except Exception as exc:  # noqa: BLE001
            raise Retry(f"SES: {type(exc).__name__}: {exc}") from None
        return None


class Missing:
    """A transport that is not configured: every call is refused, saying what is missing."""

    def __init__(self, what: str) -> None:
        self.what = what

    def send(self, method: str, args: dict[str, Any]) -> str | None:
        """Refuse."""
        raise Refused(f"{self.what} is not configured")


@dataclass(frozen=True)
class Transports:
    """The transport of each method: SES for email, Slack for every other call."""

    slack: Transport
    email: Transport

    @classmethod
    def of(
        cls,
        *,
        slack: Any = None,
        ses: Any = None,
        ses_source: str = "cutover-bot@example.com",
        slack_reader: Any = None,
    ) -> Transports:
        """Transports over a Slack WebClient and a boto3 SES client (either may be None: not configured);
        `slack_reader`: a WebClient with the user token, which reads channel threads after a crash."""
        return cls(
            slack=SlackTransport(slack, slack_reader) if slack is not None else Missing("no Slack client"),
            email=SesTransport(ses, ses_source) if ses is not None else Missing("email (SES)"),
        )

    def route(self, method: str) -> Transport:
        """The transport that sends this method."""
        return self.email if method == SES_METHOD else self.slack

    def paced(self, method: str) -> bool:
        """Whether calls of this method are paced to the rate the service allows (Slack's are)."""
        return method != SES_METHOD
