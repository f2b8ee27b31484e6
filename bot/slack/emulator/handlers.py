"""What each Web API method does to the emulated workspace, and what it answers (its `ok` fields).

A handler takes the emulator and the call's arguments (already checked against the method's
signature) and returns the answer's fields, or raises `Refusal` with Slack's error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.slack.emulator.blocks import view_problems
from bot.slack.emulator.methods import MISSING_ARG_ERROR
from bot.slack.emulator.workspace import BOT_ID, BOT_USER, TEAM_ID, Message, Refusal

if TYPE_CHECKING:
    from bot.slack.emulator.core import ResponseUrl, SlackEmulator

TS = re.compile(r"^\d+\.\d+$")
PAGE_MAX = 999


def missing_error(name: str) -> str:
    """Slack's error when this required argument is missing."""
    return MISSING_ARG_ERROR.get(name, "invalid_arguments")


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _member(conversation: Any) -> None:
    if not conversation.member:
        raise Refusal("not_in_channel")


# --- chat ----------------------------------------------------------------------------------------


def post_message(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A message in a channel (an ID or a name), a thread, or the app's DM with a user."""
    emu.need_method_scope(method)
    conversation = emu.workspace.conversation(args["channel"], by_name=True)
    if conversation.archived:
        raise Refusal("is_archived")
    if not conversation.member:  # a public channel the bot was not invited to: only with chat:write.public
        if conversation.kind != "C" or "chat:write.public" not in emu.scopes:
            raise Refusal("not_in_channel")
        emu.need_scope("chat:write.public")
    thread_ts = args.get("thread_ts")
    if thread_ts is not None and not TS.match(str(thread_ts)):
        raise Refusal("invalid_thread_ts", [f"[ERROR] thread_ts {thread_ts!r} is not a message timestamp"])
    emu.check_message(args)
    metadata = args.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and metadata.get("event_type")
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise Refusal("invalid_metadata_format")
    message = Message(
        channel=conversation.id,
        ts=emu.next_ts(),
        text=str(args.get("text") or ""),
        blocks=list(args.get("blocks") or []),
        thread_ts=str(thread_ts) if thread_ts else None,
        metadata=metadata,
        reply_broadcast=bool(thread_ts) and _truthy(args.get("reply_broadcast")),
    )
    emu.messages.append(message)
    return {"channel": conversation.id, "ts": message.ts, "message": message.as_slack(with_metadata=True)}


def post_ephemeral(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A message only one person sees, in a channel (ID or name) or their DM."""
    emu.need_method_scope(method)
    conversation = emu.workspace.conversation(args["channel"], by_name=True)
    emu.workspace.user(args["user"])
    _member(conversation)
    emu.check_message(args)
    message = Message(
        channel=conversation.id,
        ts=emu.next_ts(),
        text=str(args.get("text") or ""),
        blocks=list(args.get("blocks") or []),
        thread_ts=args.get("thread_ts"),
        user=str(args["user"]),
    )
    emu.messages.append(message)
    return {"message_ts": message.ts}


def update(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Edit the bot's own message; the channel must be an ID. Blocks not given stay as they were."""
    emu.need_method_scope(method)
    conversation = emu.workspace.conversation(args["channel"])
    message = emu.message(conversation.id, args["ts"])
    if message.user is not None:
        raise Refusal("cant_update_message")
    emu.check_message(args)
    if args.get("text") is not None:
        message.text = str(args["text"])
    if args.get("blocks") is not None:
        message.blocks = list(args["blocks"])
    if args.get("metadata") is not None:
        message.metadata = args["metadata"]
    return {"channel": conversation.id, "ts": message.ts, "text": message.text, "message": message.as_slack()}


def delete(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Delete the bot's own message; the channel must be an ID."""
    emu.need_method_scope(method)
    conversation = emu.workspace.conversation(args["channel"])
    message = emu.message(conversation.id, args["ts"])
    if message.user is not None:
        raise Refusal("cant_delete_message")
    message.deleted = True
    return {"channel": conversation.id, "ts": message.ts}


def permalink(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A message's permalink; the channel must be an ID and the message must exist."""
    conversation = emu.workspace.conversation(args["channel"])
    message = emu.message(conversation.id, args["message_ts"])
    link = f"{emu.permalink_base}{conversation.id}/p{message.ts.replace('.', '')}"
    if message.thread_ts:
        link += f"?thread_ts={message.thread_ts}&cid={conversation.id}"
    return {"channel": conversation.id, "permalink": link}


# --- conversations -------------------------------------------------------------------------------


def _page(args: dict[str, Any], found: list, key: str) -> dict[str, Any]:
    start = int(args.get("cursor") or 0)
    limit = max(1, min(int(args.get("limit") or 100), PAGE_MAX))
    more = start + limit < len(found)
    return {
        key: found[start : start + limit],
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _in_range(ts: str, args: dict[str, Any]) -> bool:
    inclusive = _truthy(args.get("inclusive"))
    value = float(ts)
    if args.get("oldest") not in (None, ""):
        oldest = float(args["oldest"])
        if value < oldest or (value == oldest and not inclusive):
            return False
    if args.get("latest") not in (None, ""):
        latest = float(args["latest"])
        if value > latest or (value == latest and not inclusive):
            return False
    return True


def history(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A conversation's messages, newest first: top-level ones and replies broadcast to the channel."""
    conversation = emu.workspace.conversation(args["channel"])
    emu.need_method_scope(method, conversation.kind)
    _member(conversation)
    with_metadata = _truthy(args.get("include_all_metadata"))
    found = [
        _with_replies(emu, m, m.as_slack(with_metadata=with_metadata))
        for m in reversed(emu.messages)
        if m.channel == conversation.id
        and m.user is None
        and not m.deleted
        and (m.thread_ts is None or m.reply_broadcast)
        and _in_range(m.ts, args)
    ]
    return _page(args, found, "messages")


def _with_replies(emu: SlackEmulator, parent: Message, shown: dict[str, Any]) -> dict[str, Any]:
    """A parent as history shows it: reply_count, latest_reply and reply_users when it has replies."""
    thread = [
        m for m in emu.messages if m.channel == parent.channel and m.thread_ts == parent.ts and m.user is None
    ]
    thread = [m for m in thread if not m.deleted and m.ts != parent.ts]
    if thread and parent.thread_ts is None:
        shown.update(
            reply_count=len(thread), latest_reply=thread[-1].ts, reply_users=[BOT_USER], thread_ts=parent.ts
        )
    return shown


def replies(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A thread, oldest first. Slack's reference: "Bot user tokens may use this method for direct message
    and multi-party direct message conversations, but lack sufficient permissions to use this method on
    public and private channels" (docs.slack.dev/reference/methods/conversations.replies)."""
    conversation = emu.workspace.conversation(args["channel"])
    if conversation.kind != "D" and emu.token.startswith("xoxb-"):
        raise Refusal("not_allowed_token_type", ["[ERROR] a bot token may read threads only in DMs"])
    emu.need_method_scope(method, conversation.kind)
    thread = str(args["ts"])
    found = [
        m.as_slack(with_metadata=_truthy(args.get("include_all_metadata")))
        for m in emu.messages
        if m.channel == conversation.id and m.user is None and not m.deleted and thread in (m.ts, m.thread_ts)
    ]
    if not found:
        raise Refusal("thread_not_found")
    return _page(args, found, "messages")


def info(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A conversation by ID (a name is not found)."""
    conversation = emu.workspace.conversation(args["channel"])
    emu.need_method_scope(method, conversation.kind)
    return {"channel": conversation.info()}


def listing(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """The workspace's channels of the given types (private ones only where the bot is a member)."""
    types = str(args.get("types") or "public_channel")
    emu.need_method_scope(method, types=types)
    kinds = {"public_channel": "C", "private_channel": "G", "im": "D"}
    wanted = {kinds[t.strip()] for t in types.split(",") if t.strip() in kinds}
    found = [
        c.info()
        for c in emu.workspace.conversations.values()
        if c.kind in wanted
        and (c.kind == "C" or c.member)
        and not (c.archived and _truthy(args.get("exclude_archived")))
    ]
    return _page(args, found, "channels")


def open_dm(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """The app's DM with one person."""
    emu.need_method_scope(method)
    users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
    if len(users) != 1:
        raise Refusal("not_enough_users" if not users else "invalid_arguments")
    return {"channel": {"id": emu.workspace.dm(users[0]).id}}


# --- users, auth, apps ---------------------------------------------------------------------------


def user_info(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A person by ID."""
    emu.need_method_scope(method)
    return {"user": emu.workspace.user(args["user"])}


def lookup_by_email(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A person by e-mail."""
    emu.need_method_scope(method)
    for user in emu.workspace.users.values():
        if user["profile"].get("email") == args["email"]:
            return {"user": user}
    raise Refusal("users_not_found")


def auth_test(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Who the token is."""
    return {
        "url": "https://nxop.slack.com/",
        "team": "NXOP",
        "user": "cutover-bot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER,
        "bot_id": BOT_ID,
    }


def connections_open(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A Socket Mode URL (app-level token)."""
    return {"url": "wss://wss-primary.slack.invalid/link/?ticket=emulated"}


# --- views ---------------------------------------------------------------------------------------


def _view(emu: SlackEmulator, args: dict[str, Any], kind: str) -> dict[str, Any]:
    problem = view_problems(args["view"])
    if problem:
        raise Refusal(problem[0], problem[1])
    if args["view"].get("type") != kind:
        raise Refusal(
            "invalid_arguments", [f"[ERROR] this method takes a {kind} view [json-pointer:/view/type]"]
        )
    view_id = emu.next_id("V")
    return {**args["view"], "id": view_id, "hash": f"{view_id}.h", "state": {"values": {}}}


def views_open(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A modal, opened with a click's or a command's trigger_id."""
    if not args.get("trigger_id") and not args.get("interactivity_pointer"):
        raise Refusal("invalid_trigger_id")
    view = _view(emu, args, "modal")
    emu.views[view["id"]] = view
    return {"view": view}


def views_publish(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A person's Home tab."""
    emu.workspace.user(args["user_id"])
    view = _view(emu, args, "home")
    emu.home[str(args["user_id"])] = args["view"]
    return {"view": view}


def views_update(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Replace an open modal."""
    view_id = args.get("view_id")
    if not view_id and not args.get("external_id"):
        raise Refusal("invalid_arguments", ["[ERROR] view_id or external_id is required"])
    if view_id and view_id not in emu.views:
        raise Refusal("not_found")
    view = _view(emu, args, "modal")
    if view_id:
        emu.views[view_id] = {**view, "id": view_id}
    return {"view": view}


# --- files ---------------------------------------------------------------------------------------


def upload_url(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Where files_upload_v2 then POSTs a file's bytes."""
    emu.need_method_scope(method)
    try:
        length = int(args["length"])
    except (TypeError, ValueError):
        length = 0
    if length <= 0:
        raise Refusal("invalid_arguments", ["[ERROR] length must be a positive integer"])
    file_id = emu.next_id("F")
    emu.files[file_id] = {"filename": str(args["filename"]), "length": length, "data": None}
    return {"file_id": file_id, "upload_url": f"{emu.upload_base}{file_id}"}


def complete_upload(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """Share uploaded files as one message in a channel (ID only) or thread, with the initial comment."""
    emu.need_method_scope(method)
    files = args["files"] if isinstance(args["files"], list) else []
    if not files:
        raise Refusal("invalid_arguments", ["[ERROR] files must be a non-empty array"])
    for f in files:
        known = emu.files.get(str(f.get("id")))
        if known is None or known["data"] is None:
            raise Refusal("file_not_found", [f"[ERROR] no uploaded file {f.get('id')!r}"])
    shared = [{"id": f["id"], "title": f.get("title") or emu.files[f["id"]]["filename"]} for f in files]
    channel = args.get("channel_id") or args.get("channels")
    if channel:
        conversation = emu.workspace.conversation(channel)
        _member(conversation)
        thread_ts = args.get("thread_ts")
        if thread_ts:
            emu.message(conversation.id, thread_ts)
        emu.messages.append(
            Message(
                channel=conversation.id,
                ts=emu.next_ts(),
                text=str(args.get("initial_comment") or ""),
                thread_ts=str(thread_ts) if thread_ts else None,
                files=shared,
            )
        )
    return {"files": shared}


def unmodelled(emu: SlackEmulator, args: dict[str, Any], method: str) -> dict[str, Any]:
    """A method slack_sdk knows and the emulator does not model: its scope is still checked."""
    emu.need_method_scope(method)
    return {}


HANDLERS: dict[str, Callable[[SlackEmulator, dict[str, Any], str], dict[str, Any]]] = {
    "chat.postMessage": post_message,
    "chat.postEphemeral": post_ephemeral,
    "chat.update": update,
    "chat.delete": delete,
    "chat.getPermalink": permalink,
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.info": info,
    "conversations.list": listing,
    "conversations.open": open_dm,
    "users.info": user_info,
    "users.lookupByEmail": lookup_by_email,
    "auth.test": auth_test,
    "apps.connections.open": connections_open,
    "views.open": views_open,
    "views.push": views_open,
    "views.publish": views_publish,
    "views.update": views_update,
    "files.getUploadURLExternal": upload_url,
    "files.completeUploadExternal": complete_upload,
}


# --- response_url --------------------------------------------------------------------------------


def respond(emu: SlackEmulator, url: ResponseUrl, payload: dict[str, Any]) -> dict[str, Any]:
    """A message through a response_url: ephemeral (default) or in_channel, or replacing/deleting the original."""
    if url.card_unknown and (
        _truthy(payload.get("delete_original")) or _truthy(payload.get("replace_original"))
    ):
        if not _truthy(payload.get("delete_original")):
            emu.check_message(payload)
        return {"ok": True}  # the card this URL came with is not known here: accepted, nothing to change
    if _truthy(payload.get("delete_original")):
        if url.message_ts is None:
            raise Refusal("no_original_message", status=404)
        _original(emu, url).deleted = True
        return {"ok": True}
    emu.check_message(payload)
    if _truthy(payload.get("replace_original")):
        if url.message_ts is None:
            raise Refusal("no_original_message", status=404)
        original = _original(emu, url)
        original.text = str(payload.get("text") or "")
        original.blocks = list(payload.get("blocks") or [])
        return {"ok": True}
    in_channel = payload.get("response_type") == "in_channel"
    emu.messages.append(
        Message(
            channel=url.channel,
            ts=emu.next_ts(),
            text=str(payload.get("text") or ""),
            blocks=list(payload.get("blocks") or []),
            thread_ts=payload.get("thread_ts"),
            user=None if in_channel else url.user,
        )
    )
    return {"ok": True}


def _original(emu: SlackEmulator, url: ResponseUrl) -> Message:
    for message in reversed(emu.messages):
        if message.channel == url.channel and message.ts == url.message_ts and not message.deleted:
            return message
    raise Refusal("message_not_found", status=404)
