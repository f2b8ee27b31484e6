"""A Slack Web API client that records every call and answers like Slack, without a network.

The console and the tests hand it to the real Bolt app, so the bot's calls are exactly the ones
production makes. Message timestamps come from the virtual clock (unique, increasing); the posted
messages are kept (and updated by chat.update) so that a script can press their buttons.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

from commands.context import Clock

UNRECORDED = frozenset({"auth.test"})  # Bolt's own authorization bookkeeping, not the bot's doing
UPLOADS = (
    "https://files.slack.invalid/upload/"  # where files_upload_v2 would POST the bytes (kept here instead)
)
PERMALINKS = "https://console.slack.invalid/archives/"  # the console's workspace has no real address


@dataclass
class ApiCall:
    """One Web API call the bot made."""

    at: datetime
    method: str
    args: dict[str, Any]


@dataclass
class Message:
    """A message the bot posted (or an ephemeral one shown to one user), as it stands now."""

    channel: str
    ts: str
    text: str
    blocks: list = field(default_factory=list)
    thread_ts: str | None = None
    user: str | None = None  # set for ephemeral messages


class RecordingSlackClient(WebClient):
    """A WebClient whose api_call records and answers; `calls`, `messages`, `views` hold what happened."""

    def __init__(self, clock: Clock, token: str = "xoxb-recording") -> None:
        super().__init__(token=token)
        self.clock = clock
        self.calls: list[ApiCall] = []
        self.messages: list[Message] = []
        self.views: dict[str, dict] = {}  # view id -> the opened view (with id and hash)
        self.home: dict[str, dict] = {}  # user -> the published Home view
        self.uploaded: dict[str, bytes] = {}  # upload URL -> the bytes files_upload_v2 sent there
        self._counter = 0
        self._lock = threading.Lock()

    def record_email(self, args: dict) -> None:
        """Record an email (ses.send_email) beside the Slack calls, as the console transcript shows it."""
        with self._lock:
            self.calls.append(ApiCall(self.clock.now(), "ses.send_email", copy.deepcopy(args)))

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
        """Record the call and answer as Slack would."""
        args = copy.deepcopy({**(params or {}), **(data or {}), **(json or {})})
        with self._lock:
            if api_method not in UNRECORDED:
                self.calls.append(ApiCall(self.clock.now(), api_method, args))
            body = self._answer(api_method, args)
        return SlackResponse(
            client=self,
            http_verb=http_verb,
            api_url=self.base_url + api_method,
            req_args={},
            data=body,
            headers={},
            status_code=200,
        )

    def __deepcopy__(self, memo: dict) -> RecordingSlackClient:
        """One record for the whole session: a copied request (Bolt's lazy listeners) calls this same client."""
        return self

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls to one method, in order."""
        return [c for c in self.calls if c.method == method]

    def _next_ts(self) -> str:
        self._counter += 1
        return f"{int(self.clock.now().timestamp())}.{self._counter:06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T0CUTOVER",
                "user": "cutover-bot",
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = self._next_ts()
            channel = str(args.get("channel", ""))
            if method == "chat.postMessage" and channel[:1] in ("U", "W"):
                channel = "D" + channel  # a post to a user ID lands in the app's DM with them
            self.messages.append(
                Message(
                    channel=channel,
                    ts=ts,
                    text=args.get("text", ""),
                    blocks=args.get("blocks") or [],
                    thread_ts=args.get("thread_ts"),
                    user=args.get("user") if method == "chat.postEphemeral" else None,
                )
            )
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": args.get("text", ""), "ts": ts},
            }
        if method == "chat.update":
            for message in self.messages:
                if message.ts == args.get("ts"):
                    message.text = args.get("text", message.text)
                    message.blocks = args.get("blocks") or message.blocks
            return {"ok": True, "channel": args.get("channel", ""), "ts": args.get("ts")}
        if method == "views.open":
            self._counter += 1
            view = {
                **args.get("view", {}),
                "id": f"V{self._counter:08d}",
                "hash": f"{self._counter}.h",
                "state": {"values": {}},
            }
            self.views[view["id"]] = view
            return {"ok": True, "view": view}
        if method == "views.publish":
            self.home[args.get("user_id", "")] = args.get("view", {})
            return {"ok": True, "view": args.get("view", {})}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "USER")).split(",")[0]}}
        if method == "files.getUploadURLExternal":
            self._counter += 1
            return {"ok": True, "file_id": f"F{self._counter:08d}", "upload_url": f"{UPLOADS}{self._counter}"}
        if method == "files.completeUploadExternal":
            return self._complete_upload(args)
        if method == "chat.getPermalink":
            digits = str(args.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "channel": args.get("channel", ""),
                "permalink": f"{PERMALINKS}{str(args.get('channel', '')).lstrip('#')}/p{digits}",
            }
        return {"ok": True}

    def _upload_file(self, *, url: str, data: bytes, **_: Any) -> FileUploadV2Result:
        """files_upload_v2's POST of a file's bytes to its upload URL (not a Web API method): kept, not sent."""
        with self._lock:
            self.uploaded[url] = data
        return FileUploadV2Result(status=200, body="OK")

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        """The files are shared as one message in the channel (or thread), with the initial comment."""
        files = args.get("files") or []
        if isinstance(files, str):  # the client sends the list JSON-encoded
            files = json.loads(files)
        channel = args.get("channel_id") or args.get("channels") or ""
        ts = self._next_ts()
        self.messages.append(
            Message(
                channel=channel, ts=ts, text=args.get("initial_comment", ""), thread_ts=args.get("thread_ts")
            )
        )
        return {"ok": True, "files": [{"id": f.get("id", ""), "title": f.get("title", "")} for f in files]}
