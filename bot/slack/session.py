"""A whole bot on a virtual clock, driven the way Slack drives it: the console's and the tests' engine.

`SlackSession` wires the services, the strict Slack emulator (its in-process face) and the real
Bolt app, then turns
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
from bot.slack.emulator.client import EmulatedWebClient
from bot.slack.emulator.core import SlackEmulator
from bot.slack.emulator.workspace import Message, Workspace
from bot.slack.listeners.actions import opens_modal
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
    """The bot behind the real Bolt app, with the Slack emulator and a virtual clock."""

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
        self.requests = SlackRequests(SIGNING_SECRET)
        self.emulator = SlackEmulator(
            self.clock, workspace=session_workspace(plan, roster, channel, self.requests)
        )
        self.client = EmulatedWebClient(self.emulator)
        parts = Parts(  # on a virtual clock, jobs run in step with it
            slack=self.client,
            channel=self.requests.channel_id,  # the channel's ID: this workspace is known, nothing to look up
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
        self.transcript: list[Entry] = []
        self._seen_calls = 0
        self._clicks = 0
        self._cards: dict[str, tuple[str, str, str]] = {}  # response_url -> the card it was pressed on
        self._urls = 0
        self.last_request: tuple[str, str] | None = None  # (body, content type) of the last request

    # --- input ------------------------------------------------------------------------------------

    def command(self, user: str, text: str, *, trigger_id: str | None = None) -> dict[str, Any]:
        """`/cutover <text>` from this user; return the answer ({"response_type", "text", "blocks"})."""
        self._arrives(user)
        url = self._response_url(user, None)
        response = self.dispatch(self.requests.slash(user, text, trigger_id=trigger_id, response_url=url))
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
        self._arrives(user)
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
                response_url=self._response_url(user, message),
                action_ts=f"{int(self.clock.now().timestamp())}.{self._clicks:06d}",
            )
        )
        opened = self.client.calls_to("views.open")[opened_before:]
        if opened:
            view = list(self.client.views.values())[-1]
            values = {"reason": {"reason_input": {"type": "plain_text_input", "value": " ".join(words)}}}
            self.dispatch(self.requests.view_submission(user, view, values))
        return [m for m in self.client.messages[shown_before:] if m.user == user]

    def _arrives(self, user: str) -> None:
        """Whoever types or clicks is a member of the workspace (a stranger too, not only the roster)."""
        if user not in self.emulator.workspace.users:
            self.emulator.workspace.add_user(user)

    def _response_url(self, user: str, message: Message | None) -> str:
        """A response_url for this request, which the emulator then holds to Slack's rules."""
        self._urls += 1
        url = f"https://hooks.slack.com/actions/T0CUTOVER/{self._urls}/console"
        channel = message.channel if message is not None else self.requests.channel_id
        return self.emulator.issue_response_url(
            url, channel=channel, user=user, message_ts=message.ts if message is not None else None
        )

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

        url = self._url_of(body)

        def respond(
            text: str = "",
            blocks: list | None = None,
            response_type: str | None = None,
            replace_original: bool | None = None,
            thread_ts: str | None = None,
            **more: Any,
        ) -> None:
            self._collect_calls()
            payload: dict[str, Any] = {"text": text, "response_type": response_type or "ephemeral"}
            extra = {"blocks": blocks, "replace_original": replace_original, "thread_ts": thread_ts, **more}
            payload.update({k: v for k, v in extra.items() if v is not None})
            status, _, answer = self.emulator.respond(url, payload)  # Slack's rules: 5 uses, 30 minutes
            if replace_original and pressed is not None:
                refused = {} if status == 200 else {"error": answer.get("error")}
                args = {"replace_original": True, "channel": pressed[0], "ts": pressed[1], "text": text}
                args["blocks"] = blocks or []
                self.transcript.append(
                    Entry(self.clock.now(), "api", {"method": "response_url", "args": args, **refused})
                )
                return
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

    def _url_of(self, body: dict) -> str:
        """The response_url of a request: a command's or click's own, or the clicked card's for its modal."""
        metadata = (body.get("view") or {}).get("private_metadata") or ""
        if not body.get("response_url") and metadata.startswith("{"):
            return json.loads(metadata).get("response_url") or ""
        return body.get("response_url") or ""

    # --- what the bot did -------------------------------------------------------------------------

    def find_button(self, user: str, action_id: str, value: str | None) -> tuple[Message, dict]:
        """The newest message visible to this user with a button of this action_id (and value, if one has it).

        A button whose action_id carries its value ("rollback_R2") is pressed as `rollback R2`: the
        script format stays as it was."""
        candidates = []
        for message in reversed(self.client.messages):
            if message.user not in (None, user):
                continue
            for button in _buttons(message.blocks):
                if button.get("action_id") in (action_id, f"{action_id}_{button.get('value')}"):
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
            refused = {"error": call.error} if call.error else {}  # Slack refused it (a contract error)
            self.transcript.append(
                Entry(call.at, "api", {"method": call.method, "args": call.args, **refused})
            )
        self._seen_calls = len(self.client.calls)


def _as_pressed(message: Message) -> dict[str, Any]:
    """The pressed message as a click's payload carries it (with its thread, as Slack includes it)."""
    pressed: dict[str, Any] = {"ts": message.ts, "text": message.text, "blocks": message.blocks}
    if message.thread_ts:
        pressed["thread_ts"] = message.thread_ts
    return pressed


def session_workspace(plan: Runbook, roster: Roster, channel: str, requests: SlackRequests) -> Workspace:
    """The workspace a session's bot works in: the cutover channel (the ID its slash commands come from),
    the runbook's audience channels (the bot invited to each) and the roster's people."""
    workspace = Workspace()
    if channel.lstrip("#") and not channel.isupper():
        workspace.add_channel(channel, requests.channel_id)
    else:
        workspace.add_channel("nxop-cutover", channel)
        requests.channel_id = channel
    audiences = plan.communications.audiences.values() if plan.communications else []
    for audience in audiences:
        for name in audience.slack_channels:
            if name.lstrip("#") not in workspace.names:
                workspace.add_channel(name)
    for member in roster.everyone():
        workspace.add_user(member.slack_id, name=member.name, email=member.email)
    return workspace


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
