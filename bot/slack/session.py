"""A whole bot on a virtual clock, driven the way Slack drives it: the console's and the tests' engine.

`SlackSession` wires the services, a recording Slack client and the real Bolt app, then turns
"this user typed /cutover ...", "this user pressed that button", "time passes" into signed
requests through `App.dispatch`. Everything the bot did is kept in `transcript`, in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.bootstrap import Parts, wire_bot
from bot.clock import FakeClock
from bot.settings import Settings
from bot.slack.after_ack import InlineExecutor
from bot.slack.app import create_app
from bot.slack.listeners.actions import opens_modal
from bot.slack.recording_client import Message, RecordingSlackClient
from bot.slack.signed_requests import SlackRequests
from bot.timeline.fire import advance
from cutover.plan.model import Runbook
from cutover.probes import Probes
from cutover.roster import Roster

SIGNING_SECRET = "console-signing-secret"  # the console's own app; not a Slack secret


class SessionError(Exception):
    """Something the session cannot do as asked (no such button, a request Slack would not send)."""


@dataclass
class Entry:
    """One line of the transcript: an API call the bot made, or a direct answer to a person."""

    at: datetime
    type: str  # "api" or "reply"
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON object of this line (see README, "Console scripts")."""
        return {"at": self.at.isoformat().replace("+00:00", "Z"), "type": self.type, **self.data}


class SlackSession:
    """The bot behind the real Bolt app, with a recording client and a virtual clock."""

    def __init__(
        self,
        *,
        plan: Runbook,
        roster: Roster,
        start: datetime,
        database_url: str = "sqlite://",
        channel: str = "#nxop-cutover",
        templates_dir: str | None = None,
        probes: Probes | None = None,
        baseline_archive: Any = None,
    ) -> None:
        self.clock = FakeClock(start)
        self.client = RecordingSlackClient(self.clock)
        parts = Parts(  # on a virtual clock, jobs run in step with it
            slack=self.client,
            channel=channel,
            probes=probes,
            baseline_archive=baseline_archive,
            inline_jobs=True,
        )
        self.services = wire_bot(
            runbook=plan,
            roster=roster,
            database_url=database_url,
            clock=self.clock,
            parts=parts,
            templates_dir=templates_dir,
        )
        settings = Settings(
            slack_bot_token=self.client.token,
            slack_signing_secret=SIGNING_SECRET,
            database_url=database_url,
            cutover_channel=channel,
        )
        self.app: App = create_app(
            settings, self.services, client=self.client, responder=self._responder, after_ack=InlineExecutor()
        )
        self.requests = SlackRequests(SIGNING_SECRET)
        self.transcript: list[Entry] = []
        self._seen_calls = 0
        self._clicks = 0
        self._answers = 0
        self._cards: dict[str, tuple[str, str, str]] = {}  # response_url -> the card it was pressed on
        self.last_request: tuple[str, str] | None = None  # (body, content type) of the last request

    # --- input ------------------------------------------------------------------------------------

    def command(self, user: str, text: str, *, trigger_id: str | None = None) -> dict[str, Any]:
        """`/cutover <text>` from this user; return the answer ({"response_type", "text", "blocks"})."""
        response = self.dispatch(self.requests.slash(user, text, trigger_id=trigger_id))
        body = json.loads(response.body) if response.body else {}
        reply = {
            "user": user,
            "command": f"/cutover {text}".strip(),
            "response_type": body.get("response_type", "ephemeral"),
            "text": body.get("text", ""),
            "blocks": body.get("blocks", []),
        }
        self.transcript.append(Entry(self.clock.now(), "reply", reply))
        return reply

    def click(self, user: str, action_id: str, words: list[str] | None = None) -> list[Message]:
        """This user presses the newest button with this action_id (and value, when the first word is one).

        When the button opens a modal, the modal is submitted with the remaining words as the reason.
        Return the ephemeral messages the bot showed this user in answer.
        """
        words = list(words or [])
        message, button = self.find_button(user, action_id, words[0] if words else None)
        if words and button.get("value") == words[0]:
            words = words[1:]
        elif words and not opens_modal(action_id):
            raise SessionError(f"no message shows a button {action_id!r} with the value {words[0]!r}")
        self._clicks += 1
        trigger_id = self.requests.trigger_id()
        opened_before = len(self.client.calls_to("views.open"))
        shown_before = len(self.client.messages)
        action = {k: button[k] for k in ("action_id", "value") if k in button}
        action["block_id"] = button.get("_block_id", "")
        self.dispatch(
            self.requests.block_action(
                user,
                channel=message.channel,
                message_ts=message.ts,
                trigger_id=trigger_id,
                message=_as_pressed(message),
                action=action,
                action_ts=f"{int(self.clock.now().timestamp())}.{self._clicks:06d}",
            )
        )
        opened = self.client.calls_to("views.open")[opened_before:]
        if opened:
            view = list(self.client.views.values())[-1]
            values = {"reason": {"reason_input": {"type": "plain_text_input", "value": " ".join(words)}}}
            self.dispatch(self.requests.view_submission(user, view, values))
        return [m for m in self.client.messages[shown_before:] if m.user == user]

    def home(self, user: str) -> dict:
        """This user opens the bot's Home tab; return the published view."""
        self.dispatch(
            self.requests.event(
                {
                    "type": "app_home_opened",
                    "user": user,
                    "tab": "home",
                    "channel": "D" + user,
                    "event_ts": "0",
                }
            )
        )
        return self.client.home.get(user, {})

    def advance_to(self, moment: datetime) -> None:
        """Move the virtual clock, firing what falls due on the way."""
        advance(self.services, self.clock, moment)
        self._collect_calls()

    def redeliver(self) -> BoltResponse:
        """Deliver the last request again, as a Slack retry (X-Slack-Retry-Num: 1)."""
        if self.last_request is None:
            raise SessionError("nothing was delivered yet")
        body, content_type = self.last_request
        return self.dispatch(self.requests.signed(body, content_type, retry=1))

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        """Hand a request to the Bolt app; Slack would show an error for anything but 200."""
        self.last_request = (request.raw_body, request.headers["content-type"][0])
        response = self.app.dispatch(request)
        self._collect_calls()
        if response.status != 200:
            raise SessionError(f"the app answered HTTP {response.status}: {response.body}")
        return response

    def _responder(self, context, body: dict):
        """Bolt's `respond` for this request: what goes through a click's response_url.

        A private answer is a `reply` entry (and a message only this user sees); `replace_original`
        replaces the pressed card, an `api` entry of method "response_url" with the card as it is now.
        """
        if "command" in body:
            pressed = None
            command = f"{body['command']} {body.get('text', '')}".strip()
        else:
            pressed = self._pressed_card(body)
            command = pressed[2] if pressed else "click"

        def respond(
            text: str = "",
            blocks: list | None = None,
            response_type: str | None = None,
            replace_original: bool | None = None,
            thread_ts: str | None = None,
            **_: Any,
        ) -> None:
            self._collect_calls()
            if replace_original and pressed is not None:
                self._replace(pressed[0], pressed[1], text, blocks or [])
                return
            if pressed is not None:  # shown to this user only, where they pressed (the console can press it)
                self._answers += 1
                self.client.messages.append(
                    Message(
                        channel=pressed[0],
                        ts=f"{pressed[1]}.r{self._answers}",
                        text=text,
                        blocks=blocks or [],
                        thread_ts=thread_ts,
                        user=context.user_id,
                    )
                )
            self.transcript.append(
                Entry(
                    self.clock.now(),
                    "reply",
                    {
                        "user": context.user_id,
                        "command": command,
                        "response_type": response_type or "ephemeral",
                        "text": text,
                        "blocks": blocks or [],
                    },
                )
            )

        return respond

    def _pressed_card(self, body: dict) -> tuple[str, str, str] | None:
        """(channel, ts, "click <action_id>") of the card a click (or its reason modal) came from."""
        url = body.get("response_url")
        if url and body.get("actions"):
            channel = (body.get("channel") or {}).get("id", "")
            ts = (body.get("container") or {}).get("message_ts", "")
            self._cards[url] = (
                channel,
                ts,
                " ".join(["click", *(a.get("action_id", "") for a in body["actions"])]),
            )
        metadata = (body.get("view") or {}).get("private_metadata") or ""
        if not url and metadata.startswith("{"):
            url = json.loads(metadata).get("response_url")
        return self._cards.get(url) if url else None

    def _replace(self, channel: str, ts: str, text: str, blocks: list) -> None:
        """The pressed card replaced through its response_url: the message changes, the transcript says so."""
        for message in self.client.messages:
            if message.ts == ts and message.user is None:
                message.text, message.blocks = text, blocks
        args = {"replace_original": True, "channel": channel, "ts": ts, "text": text, "blocks": blocks}
        self.transcript.append(Entry(self.clock.now(), "api", {"method": "response_url", "args": args}))

    # --- what the bot did -------------------------------------------------------------------------

    def find_button(self, user: str, action_id: str, value: str | None) -> tuple[Message, dict]:
        """The newest message visible to this user with a button of this action_id (and value, if one has it)."""
        candidates = []
        for message in reversed(self.client.messages):
            if message.user not in (None, user):
                continue
            for button in _buttons(message.blocks):
                if button.get("action_id") == action_id:
                    candidates.append((message, button))
        if not candidates:
            raise SessionError(f"no message shows a button {action_id!r}")
        with_value = [c for c in candidates if value is not None and c[1].get("value") == value]
        return (with_value or candidates)[0]

    def posted(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """The arguments of every call to a Web API method, in order."""
        return [c.args for c in self.client.calls_to(method)]

    def _collect_calls(self) -> None:
        for call in self.client.calls[self._seen_calls :]:
            self.transcript.append(Entry(call.at, "api", {"method": call.method, "args": call.args}))
        self._seen_calls = len(self.client.calls)


def _as_pressed(message: Message) -> dict[str, Any]:
    """The pressed message as a click's payload carries it (with its thread, as Slack includes it)."""
    pressed: dict[str, Any] = {"ts": message.ts, "text": message.text, "blocks": message.blocks}
    if message.thread_ts:
        pressed["thread_ts"] = message.thread_ts
    return pressed


def _buttons(blocks: list) -> list[dict]:
    found = []
    for block in blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("type") == "section" and block.get("accessory"):
            elements = [block["accessory"]]  # a button beside a section's text (a checklist item's Confirm)
        for element in elements:
            if element.get("type") == "button":
                found.append({**element, "_block_id": block.get("block_id", "")})
    return found
