"""Which Web API methods exist, what arguments they take, and which OAuth scope each needs.

Methods and argument names come from slack_sdk's own `WebClient` (each method's signature: the
keyword parameters, those without a default being required), so the emulator knows exactly what
the client library knows. Scopes are those of each method's reference page ("Required scopes",
bot token); history and read scopes depend on the kind of conversation (public C, private G,
direct D). The error for a missing required argument is the one Slack gives for it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from slack_sdk import WebClient

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yaml"

# Arguments Slack accepts on every method without the client naming them.
COMMON_ARGS = frozenset({"token"})
# Parameters slack_sdk sends as the Authorization header, not as arguments.
HEADER_ARGS = frozenset({"app_token"})

# The error Slack answers when a required argument is missing (else "invalid_arguments").
MISSING_ARG_ERROR = {
    "channel": "channel_not_found",
    "channel_id": "channel_not_found",
    "user": "user_not_found",
    "user_id": "user_not_found",
    "ts": "message_not_found",
    "message_ts": "message_not_found",
    "trigger_id": "invalid_trigger_id",
    "files": "invalid_arguments",
    "filename": "invalid_arguments",
    "length": "invalid_arguments",
    "view": "invalid_arguments",
    "users": "invalid_arguments",
    "email": "users_not_found",
}

# Scopes by method; "{history}"/"{read}" become the scope of the conversation's kind.
SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "apps.connections.open": "connections:write",
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "conversations.history": "{history}",
    "conversations.replies": "{history}",
    "conversations.info": "{read}",
    "conversations.members": "{read}",
    "conversations.list": "{list}",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.upload": "files:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
    "views.open": None,
    "views.publish": None,
    "views.push": None,
    "views.update": None,
}
HISTORY = {"C": "channels:history", "G": "groups:history", "D": "im:history"}
READ = {"C": "channels:read", "G": "groups:read", "D": "im:read"}
LIST = {
    "public_channel": "channels:read",
    "private_channel": "groups:read",
    "im": "im:read",
    "mpim": "mpim:read",
}


@dataclass(frozen=True)
class Signature:
    """A method's argument names, and the required ones among them."""

    known: frozenset[str]
    required: frozenset[str]


@cache
def signature(method: str) -> Signature | None:
    """The arguments slack_sdk's WebClient gives this method; None when the client has no such method."""
    function = getattr(WebClient, method.replace(".", "_"), None)
    if function is None or not callable(function) or method.startswith("_"):
        return None
    params = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    return Signature(
        known=frozenset(p.name for p in params) | COMMON_ARGS,
        required=frozenset(p.name for p in params if p.default is inspect.Parameter.empty) - HEADER_ARGS,
    )


def scope_needed(method: str, kind: str = "C", types: str = "") -> str | None:
    """The bot scope this call needs (`kind`: the conversation's first letter; `types`: conversations.list's)."""
    scope = SCOPES.get(method)
    if scope == "{history}":
        return HISTORY.get(kind, "channels:history")
    if scope == "{read}":
        return READ.get(kind, "channels:read")
    if scope == "{list}":
        wanted = [t.strip() for t in (types or "public_channel").split(",") if t.strip()]
        return ",".join(LIST.get(t, "channels:read") for t in wanted)
    return scope


@cache
def manifest_scopes(path: Path = MANIFEST, kind: str = "bot") -> frozenset[str]:
    """The bot (or user: kind="user") scopes manifest.yaml asks for (what an installed app's token is granted)."""
    manifest = yaml.safe_load(path.read_text())
    return frozenset(manifest["oauth_config"]["scopes"].get(kind) or ())
