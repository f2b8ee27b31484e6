"""A local fake of Atlassian Statuspage's REST API (v1), as strict as the real one where the bot touches it.

It checks what the real API checks: `Authorization: OAuth <key>` (401 otherwise), a JSON body with
the resource wrapped in its name (`{"component": {...}}`, `{"incident": {...}}`; 400 otherwise), the
page, component and incident ids (404), the status values (422 with a list of messages), and a
scheduled maintenance's `scheduled_for`/`scheduled_until`. Errors are `{"error": ...}` as the API
answers. `fail_next(status)` makes the next request fail (e.g. 420 rate limited, 500).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.quiet_server import QuietHTTPServer

COMPONENT_STATUSES = {
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}


class FakeStatuspage:
    """One page with components; records every accepted incident and its updates."""

    def __init__(self, api_key: str, page_id: str, component_ids: list[str]) -> None:
        self.api_key, self.page_id = api_key, page_id
        self.components: dict[str, str] = dict.fromkeys(component_ids, "operational")
        self.incidents: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self._fail: list[int] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PATCH(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self, "PATCH")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

            def log_message(self, *args: object) -> None:
                pass

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"

    def __enter__(self) -> FakeStatuspage:
        self.server.start(name="fake-statuspage")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()

    def fail_next(self, status: int) -> None:
        """The next request answers this HTTP status."""
        self._fail.append(status)

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        with self._lock:
            status, body = self._answer(method, request.path, request.headers, raw)
            self.requests.append((method, request.path, status))
        payload = json.dumps(body).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _answer(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        if self._fail:
            status = self._fail.pop(0)
            return status, {"error": "Rate limited" if status in (420, 429) else "Internal server error"}
        if headers.get("Authorization") != f"OAuth {self.api_key}":
            return 401, {"error": "Could not authenticate"}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"error": "Body is not valid JSON"}
        parts = path.split("?")[0].strip("/").split("/")
        if len(parts) < 4 or parts[:2] != ["v1", "pages"] or parts[2] != self.page_id:
            return 404, {"error": "Not found"}
        resource = parts[3:]
        if method == "PATCH" and resource[0] == "components" and len(resource) == 2:
            return self._component(resource[1], body)
        if method == "POST" and resource == ["incidents"]:
            return self._create(body)
        if method == "PATCH" and resource[0] == "incidents" and len(resource) == 2:
            return self._update(resource[1], body)
        return 404, {"error": "Not found"}

    def _component(self, component_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if component_id not in self.components:
            return 404, {"error": "Not found"}
        component = body.get("component") if isinstance(body, dict) else None
        if not isinstance(component, dict):
            return 400, {"error": "param is missing or the value is empty: component"}
        if component.get("status") not in COMPONENT_STATUSES:
            return 422, {"error": ["Status is not included in the list"]}
        self.components[component_id] = component["status"]
        return 200, {"id": component_id, "status": component["status"]}

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return 400, {"error": "param is missing or the value is empty: incident"}
        problems = []
        if not str(incident.get("name", "")).strip():
            problems.append("Name can't be blank")
        status = incident.get("status")
        if status not in INCIDENT_STATUSES | MAINTENANCE_STATUSES:
            problems.append("Status is not included in the list")
        if status in MAINTENANCE_STATUSES and not (
            incident.get("scheduled_for") and incident.get("scheduled_until")
        ):
            problems.append("Scheduled for and scheduled until are required for a scheduled maintenance")
        unknown = [c for c in incident.get("component_ids", []) if c not in self.components]
        if unknown:
            problems.append(f"Components not found: {', '.join(unknown)}")
        if problems:
            return 422, {"error": problems}
        incident_id = f"inc{len(self.incidents) + 1:04d}"
        record = {
            **incident,
            "id": incident_id,
            "updates": [{"status": status, "body": incident.get("body", "")}],
        }
        self.incidents[incident_id] = record
        for component_id, component_status in (incident.get("components") or {}).items():
            self.components[component_id] = component_status
        return 201, {"id": incident_id, "status": status, "name": incident["name"]}

    def _update(self, incident_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        record = self.incidents.get(incident_id)
        if record is None:
            return 404, {"error": "Not found"}
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return 400, {"error": "param is missing or the value is empty: incident"}
        allowed = MAINTENANCE_STATUSES if record["status"] in MAINTENANCE_STATUSES else INCIDENT_STATUSES
        if incident.get("status") not in allowed:
            return 422, {"error": ["Status is not included in the list"]}
        record["status"] = incident["status"]
        record["updates"].append({"status": incident["status"], "body": incident.get("body", "")})
        return 200, {"id": incident_id, "status": incident["status"]}
