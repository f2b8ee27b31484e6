"""Where time-driven messages go: the cutover thread, channels, DMs, email; always through the outbox.

Outbox keys derive from the action's key, so firing an action again queues nothing twice.
Order keys: `thread:<cutover>` (the announcer's too, so a thread reads in order), `channel:<name>`,
`dm:<user>`, `email:<key>` (an email failing blocks nothing else). A DM is a post to the person's
user ID, which Slack delivers in the app's DM with them (its Messages tab): no `conversations.open`
per person first (Tier 3, 50 a minute: 1,000 of them would take 20 minutes).
"""

from __future__ import annotations

import contextlib
from typing import Any

from commands.context import Services
from cutover.roster import Member
from templates.render import render, render_json


def text(services: Services, template: str, **context: Any) -> str:
    """Render a template (CUTOVER_TEMPLATES_DIR overrides it)."""
    return render(template, services.templates_dir, **context)


def blocks(services: Services, template: str, **context: Any) -> list:
    """Render a Block Kit template."""
    return render_json(template, services.templates_dir, **context)


def thread(
    services: Services,
    cutover_id: str,
    message: str,
    *,
    key: str,
    blocks_: list | None = None,
    broadcast: bool = False,
    metadata: dict | None = None,
) -> None:
    """A reply in the cutover's thread (waits for the parent message when it is not posted yet)."""
    args: dict[str, Any] = {
        "channel": services.channel,
        "thread_ts": "{{ts:parent:" + cutover_id + "}}",
        "text": message,
    }
    if blocks_:
        args["blocks"] = blocks_
    if broadcast:
        args["reply_broadcast"] = True
    if metadata:
        args["metadata"] = metadata
    _enqueue(services, "chat.postMessage", args, key=key, order=f"thread:{cutover_id}")


def channel(services: Services, name: str, message: str, *, key: str, blocks_: list | None = None) -> None:
    """A message in a channel."""
    args: dict[str, Any] = {"channel": name, "text": message}
    if blocks_:
        args["blocks"] = blocks_
    _enqueue(services, "chat.postMessage", args, key=key, order=f"channel:{name}")


def direct(services: Services, user: str, message: str, *, key: str, blocks_: list | None = None) -> None:
    """A DM: one post to the user ID (Slack puts it in the app's DM with them)."""
    args: dict[str, Any] = {"channel": user, "text": message}
    if blocks_:
        args["blocks"] = blocks_
    _enqueue(services, "chat.postMessage", args, key=key, order=f"dm:{user}")


def email(
    services: Services, to: list[str], subject: str, body: str, *, key: str, cutover_id: str = ""
) -> None:
    """An email through SES; if it fails, the deliverer says so once in the cutover's thread (and retries)."""
    args: dict[str, Any] = {"to": list(to), "subject": subject, "body": body}
    if cutover_id:
        args["notify"] = {
            "channel": services.channel,
            "thread_ts": "{{ts:parent:" + cutover_id + "}}",
            "order": f"thread:{cutover_id}",
        }
    _enqueue(services, "ses.send_email", args, key=key, order=f"email:{key}")


def batch(services: Services):
    """Queue what is sent inside in one go when the outbox can (the persistent one can)."""
    opener = getattr(services.outbox, "batch", None)
    return opener() if callable(opener) else contextlib.nullcontext()


def recipients(services: Services, roles: list[str], everyone_in_role: bool) -> list[Member]:
    """The people to ping: each role's on-call member(s), or every member; "all" is the whole roster."""
    roster = services.roster
    found: dict[str, Member] = {}
    for role in roles:
        if role == "all":
            members = roster.everyone()
        else:
            members = roster.members_of(role) if everyone_in_role else roster.on_call_for(role)
        for member in members:
            found.setdefault(member.slack_id, member)
    return list(found.values())


def _enqueue(
    services: Services,
    method: str,
    args: dict[str, Any],
    *,
    key: str,
    order: str,
    save_ts_as: str | None = None,
) -> None:
    if services.outbox is None:
        return
    services.outbox.enqueue(method=method, args=args, key=key, order=order, save_ts_as=save_ts_as)
