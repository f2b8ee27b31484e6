"""boto3 clients with timeouts on every call, from the standard AWS credential chain."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.probes.config import ProbeSettings
from cutover.probes import Reading

AWS_ERRORS = (BotoCoreError, ClientError, OSError)


class AwsClients:
    """One cached client per (service, region, endpoint), each with connect/read timeouts and bounded retries."""

    def __init__(self, settings: ProbeSettings, session: boto3.session.Session | None = None) -> None:
        self.settings = settings
        self.session = session or boto3.session.Session()
        self.config = Config(
            connect_timeout=settings.connect_timeout_s,
            read_timeout=settings.read_timeout_s,
            retries={"max_attempts": settings.max_attempts, "mode": "standard"},
        )
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str, endpoint_url: str | None = None) -> Any:
        """A client for a service in a region (the settings' local endpoint when one is set)."""
        endpoint = endpoint_url or self.settings.aws_endpoint_url
        key = (service, region, endpoint)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service, region_name=region, endpoint_url=endpoint, config=self.config
                )
            return self._clients[key]


def unknown(source: str, exc: BaseException) -> Reading:
    """The reading of a source that could not be read: unknown, with a one-line error."""
    return Reading(ok=None, source=source, error=short_error(exc))


def short_error(exc: BaseException) -> str:
    """One line describing an exception, without the traceback."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300]
