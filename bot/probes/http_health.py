"""External dependencies' HTTP health endpoints, each read with a timeout."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.probes.aws import short_error
from cutover.probes import Reading


class HttpDependencies:
    """GET the health URL: 2xx passes, another status fails, no answer (refused, timeout) is unknown."""

    def __init__(self, timeout_s: float = 5.0) -> None:
        self.timeout_s = timeout_s

    def health(self, key: str, url: str | None) -> Reading:
        """A dependency's health: ok with the HTTP status, or unknown when unreachable or not configured."""
        source = f"http:{key}"
        if not url:
            return Reading(ok=None, source=source, error="no health_url; needs a manual confirmation")
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, method="GET"), timeout=self.timeout_s
            ) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            return Reading(ok=False, value=exc.code, source=source, error=str(exc.reason)[:200])
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return Reading(ok=None, source=source, error=short_error(exc))
        return Reading(ok=200 <= status < 300, value=status, source=source)
