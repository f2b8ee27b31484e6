"""The emulated workspace: its conversations (public, private, DMs) with their messages, and its users.

IDs look like Slack's: channels `C...`, private channels `G...`, DMs `D...`, users `U...`/`W...`.
An "open" workspace (the default of the HTTP face) holds every well-formed channel and user ID a
test names (the bot a member of each channel); a closed one only what was added. Names are never
IDs: `#nxop-cutover` is found by name only where Slack accepts a name (chat.postMessage,
chat.postEphemeral), and a post to a user ID lands in the app's DM with them (the Messages tab).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

BOT_USER, BOT_ID, TEAM_ID = "U0CUTOVERBOT", "B0CUTOVER", "T0CUTOVER"
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


class Refusal(Exception):
    """Slack's answer `{"ok": false, "error": ...}` (with `extra` fields, e.g. `needed`/`provided`)."""

    def __init__(
        self, error: str, messages: list[str] | None = None, status: int = 200, **extra: Any
    ) -> None:
        super().__init__(error)
        self.error, self.messages, self.status, self.extra = error, list(messages or []), status, extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Message:
    """A message as it stands now (an ephemeral one has `user`: only that person sees it)."""

    channel: str
    ts: str
    text: str
    blocks: list = field(default_factory=list)
    thread_ts: str | None = None
    user: str | None = None
    metadata: dict | None = None
    files: list = field(default_factory=list)
    reply_broadcast: bool = False
    deleted: bool = False

    def as_slack(self, *, with_metadata: bool = False) -> dict[str, Any]:
        """The message as conversations.history shows it."""
        shown: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
        }
        if self.thread_ts:
            shown["thread_ts"] = self.thread_ts
        if self.files:
            shown["files"] = self.files
        if with_metadata and self.metadata:
            shown["metadata"] = self.metadata
        return shown


@dataclass
class Conversation:
    """A channel, private channel or DM; `member`: whether the bot is in it."""

    id: str
    name: str
    member: bool = True
    archived: bool = False
    user: str | None = None  # a DM's other person

    @property
    def kind(self) -> str:
        """C (public), G (private) or D (direct)."""
        return self.id[0]

    def info(self) -> dict[str, Any]:
        """The conversation object of conversations.info and conversations.list."""
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": self.kind == "C",
            "is_group": self.kind == "G",
            "is_im": self.kind == "D",
            "is_private": self.kind != "C",
            "is_archived": self.archived,
            "is_member": self.member,
            **({"user": self.user} if self.user else {}),
        }


def dm_of(user: str) -> str:
    """The ID of the app's DM with a user (the same for conversations.open and a post to the user ID)."""
    return "D" + hashlib.sha1(user.encode()).hexdigest()[:9].upper()


def channel_id_for(name: str) -> str:
    """A stable channel ID for a channel name."""
    return "C" + hashlib.sha1(name.lstrip("#").encode()).hexdigest()[:9].upper()


class Workspace:
    """Conversations and users; `open_world`: every well-formed ID exists (the bot a member of each channel)."""

    def __init__(self, *, open_world: bool = False) -> None:
        self.open_world = open_world
        self.conversations: dict[str, Conversation] = {}
        self.names: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.add_user(BOT_USER, name="cutover-bot", is_bot=True)

    def add_channel(
        self, name: str, channel_id: str | None = None, *, private: bool = False, member: bool = True
    ) -> str:
        """Create (or update) a channel by name; return its ID."""
        name = name.lstrip("#")
        cid = channel_id or self.names.get(name) or ("G" if private else "C") + channel_id_for(name)[1:]
        self.conversations[cid] = Conversation(cid, name, member=member)
        self.names[name] = cid
        return cid

    def add_user(
        self, user: str, *, name: str = "", email: str = "", is_bot: bool = False, deleted: bool = False
    ) -> None:
        """Add a person (or update them)."""
        self.users[user] = {
            "id": user,
            "name": name or user.lower(),
            "real_name": name or user,
            "deleted": deleted,
            "is_bot": is_bot,
            "team_id": TEAM_ID,
            "profile": {"email": email} if email else {},
        }

    def user(self, user: Any) -> dict[str, Any]:
        """A user by ID, or Refusal("user_not_found")."""
        user = str(user or "")
        if user not in self.users and self.open_world and USER_ID.match(user):
            self.add_user(user)
        if user not in self.users:
            raise Refusal("user_not_found")
        return self.users[user]

    def conversation(self, ref: Any, *, by_name: bool = False) -> Conversation:
        """The conversation an argument names: an ID, a user ID (their DM), or a name where Slack takes one."""
        ref = str(ref or "")
        if USER_ID.match(ref) and by_name:
            try:
                return self.dm(ref)
            except Refusal:
                raise Refusal("channel_not_found") from None
        if CHANNEL_ID.match(ref):
            found = self.conversations.get(ref)
            if found is None and self.open_world and ref[0] in "CG":
                found = self.conversations[ref] = Conversation(ref, ref.lower())
            if found is None or (found.kind == "G" and not found.member):
                raise Refusal("channel_not_found")  # a private channel the bot is not in is invisible
            return found
        if by_name and ref.lstrip("#") in self.names:
            return self.conversations[self.names[ref.lstrip("#")]]
        raise Refusal("channel_not_found")

    def dm(self, user: str) -> Conversation:
        """The app's DM with this person (opened on first use)."""
        self.user(user)
        cid = dm_of(user)
        if cid not in self.conversations:
            self.conversations[cid] = Conversation(cid, cid.lower(), user=user)
        return self.conversations[cid]
