"""The emulator's in-process face: a WebClient whose calls the emulator answers, without a network.

The console, rehearsals and `SlackSession` hand it to the real Bolt app, so the bot's calls are
exactly the ones production makes, and Slack's refusals reach the bot as `SlackApiError` exactly
as slack_sdk raises them. `calls` records every call (the transcript's `api` lines; Bolt's own
`auth.test` is not listed), `messages`, `views`, `home` and `uploaded` show the workspace.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

from bot.slack.emulator.core import SlackEmulator
from bot.slack.emulator.workspace import Message

UNRECORDED = frozenset({"auth.test"})  # Bolt's own authorization bookkeeping, not the bot's doing


@dataclass
class ApiCall:
    """One Web API call the bot made (`error`: Slack's refusal, None when it was accepted)."""

    at: datetime
    method: str
    args: dict[str, Any]
    error: str | None = None


class EmulatedWebClient(WebClient):
    """A WebClient answered by a `SlackEmulator`."""

    def __init__(self, emulator: SlackEmulator, token: str = "xoxb-emulator") -> None:
        super().__init__(token=token)
        self.emulator = emulator
        self.calls: list[ApiCall] = []
        self.uploaded: dict[str, bytes] = {}  # upload URL -> the bytes files_upload_v2 sent there
        self._lock = threading.Lock()

    @property
    def messages(self) -> list[Message]:
        """Every message of the workspace, channel and ephemeral, oldest first."""
        return self.emulator.messages

    @property
    def views(self) -> dict[str, dict]:
        """The modals opened, by view id."""
        return self.emulator.views

    @property
    def home(self) -> dict[str, dict]:
        """The Home views published, by user."""
        return self.emulator.home

    def record_email(self, args: dict) -> None:
        """Record an email (ses.send_email) beside the Slack calls, as the console transcript shows it."""
        with self._lock:
            self.calls.append(ApiCall(self.emulator.clock.now(), "ses.send_email", copy.deepcopy(args)))

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict | None = None,
        data: dict | None = None,
        params: dict | None = None,
        json: dict | None = None,
        headers: dict | None = None,
        auth: dict | None = None,
    ) -> SlackResponse:
        """Ask the emulator; a refusal raises SlackApiError as slack_sdk does."""
        args = copy.deepcopy({**(params or {}), **(data or {}), **(json or {})})
        with self._lock:
            at = self.emulator.clock.now()
            status, answer_headers, body = self.emulator.call(api_method, args, token=self.token or "")
            if api_method not in UNRECORDED:
                error = None if body.get("ok") else str(body.get("error"))
                self.calls.append(ApiCall(at, api_method, args, error))
        return SlackResponse(
            client=self,
            http_verb=http_verb,
            api_url=self.base_url + api_method,
            req_args={},
            data=body,
            headers=answer_headers,
            status_code=status,
        ).validate()

    def __deepcopy__(self, memo: dict) -> EmulatedWebClient:
        """One record for the whole session: a copied request (Bolt's lazy listeners) calls this same client."""
        return self

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls to one method, in order."""
        return [c for c in self.calls if c.method == method]

    def _upload_file(self, *, url: str, data: bytes, **_: Any) -> FileUploadV2Result:
        """files_upload_v2's POST of a file's bytes to its upload URL (not a Web API method)."""
        with self._lock:
            self.uploaded[url] = data
        if not self.emulator.receive_upload(url, data):
            return FileUploadV2Result(status=404, body="not found")
        return FileUploadV2Result(status=200, body="OK")
