"""Atlassian Statuspage through its REST API: the component's status and a maintenance (or incident) with updates.

The API (v1): `Authorization: OAuth <api key>`; `PATCH /pages/{page}/components/{component}` with
`{"component": {"status": ...}}`; `POST /pages/{page}/incidents` with `{"incident": {...}}` answers
201 and the incident (its `id`); `PATCH /pages/{page}/incidents/{id}` adds an update. A 4xx answers
`{"error": "..."}` (or a list of messages); 420/429 is the rate limit (1 request a second).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

API_URL = "https://api.statuspage.io/v1"

# Seed 5.2 levels -> Statuspage component statuses.
COMPONENT_STATUS = {0: "operational", 1: "under_maintenance", 2: "partial_outage", 3: "major_outage"}
# The page's phase -> the status of the cutover's scheduled maintenance on Statuspage.
MAINTENANCE_STATUS = {
    "scheduled": "scheduled",
    "in_progress": "in_progress",
    "paused": "in_progress",
    "rolling_back": "verifying",
    "rollback_failed": "verifying",
    "completed": "completed",
    "rolled_back": "completed",
    "aborted": "completed",
}


class StatuspageError(Exception):
    """The API refused or could not be reached: the HTTP status (0: no answer) and its error message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status, self.message = status, message


@dataclass
class StatuspageClient:
    """A small client of the Statuspage REST API (stdlib HTTP, a timeout on every call)."""

    api_key: str
    api_url: str = API_URL
    timeout_s: float = 10.0

    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One JSON request; the parsed answer, or StatuspageError with the API's own message."""
        request = urllib.request.Request(
            self.api_url.rstrip("/") + path,
            data=json.dumps(body).encode("utf-8"),
            method=method,
            headers={"Authorization": f"OAuth {self.api_key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise StatuspageError(exc.code, _error_message(exc.read())) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise StatuspageError(0, f"unreachable ({type(exc).__name__})") from None

    def set_component(self, page_id: str, component_id: str, status: str) -> None:
        """Set a component's status (operational, under_maintenance, partial_outage, major_outage ...)."""
        self.call("PATCH", f"/pages/{page_id}/components/{component_id}", {"component": {"status": status}})

    def create_incident(self, page_id: str, incident: dict[str, Any]) -> str:
        """Create an incident or a scheduled maintenance; its id."""
        return str(self.call("POST", f"/pages/{page_id}/incidents", {"incident": incident})["id"])

    def update_incident(self, page_id: str, incident_id: str, incident: dict[str, Any]) -> None:
        """Post an update (status and body) to an incident or maintenance."""
        self.call("PATCH", f"/pages/{page_id}/incidents/{incident_id}", {"incident": incident})


def _error_message(raw: bytes) -> str:
    try:
        error = json.loads(raw).get("error", "")
    except (ValueError, AttributeError):
        return raw[:200].decode("utf-8", "replace")
    return "; ".join(error) if isinstance(error, list) else str(error)
