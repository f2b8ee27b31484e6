"""Messages Slack accepts and shows as meant: `&`, `<`, `>` escaped, texts cut to Slack's limits with "…".

Slack's mrkdwn reads `<...>` as a mention or link and `&...;` as an entity, so every other `&`, `<`
and `>` must be sent as `&amp;`, `&lt;`, `&gt;` — in the bot's own words (`<= 5 min`) as much as in
what people typed. `escape` leaves Slack's own sequences (`<@U1>`, `<#C1>`, `<!here>`, `<https://..|x>`)
and existing entities alone, so text escaped by a template is not escaped twice.

A text longer than its field allows makes Slack refuse the whole message (`invalid_blocks`,
`msg_too_long`); `fit` cuts it instead, never inside an entity or a `<...>` sequence, and ends it with
"…". The event log and the report keep the full text.
"""

from __future__ import annotations

import copy
import re
from typing import Any

ELLIPSIS = "…"
MESSAGE_TEXT = 40_000
SECTION_TEXT = 3_000
FIELD_TEXT = 2_000
CONTEXT_TEXT = 3_000
HEADER_TEXT = 150
BUTTON_TEXT = 75
OPTION_TEXT = 75

_SLACK_SEQUENCE = re.compile(
    r"<(?:[@#!][^<>\s|]+(?:\|[^<>]*)?|(?:https?|mailto|tel):[^<>\s|]+(?:\|[^<>]*)?)>|&(?:amp|lt|gt);"
)
_SPECIAL = re.compile(r"[&<>]")
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
VIEW_METHODS = frozenset({"views.open", "views.publish", "views.update", "views.push"})


def escape(text: str) -> str:
    """`&`, `<`, `>` as entities, except in Slack's own mentions, links and entities."""
    out, last = [], 0
    for match in _SLACK_SEQUENCE.finditer(text):
        out.append(_SPECIAL.sub(lambda m: _ENTITY[m.group()], text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_SPECIAL.sub(lambda m: _ENTITY[m.group()], text[last:]))
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """The text, or its first characters and "…" within `limit` (never cutting `&amp;` or `<@U1>`)."""
    if len(text) <= limit:
        return text
    cut = limit - len(ELLIPSIS)
    for match in _SLACK_SEQUENCE.finditer(text, max(0, cut - 600), cut + 600):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return text[:cut].rstrip() + ELLIPSIS


def fit(method: str, args: dict[str, Any]) -> dict[str, Any]:
    """A Web API call's arguments with every mrkdwn text escaped and every text within its limit."""
    if method in MESSAGE_METHODS:
        fitted = dict(args)
        if isinstance(args.get("text"), str):
            fitted["text"] = clip(escape(args["text"]), MESSAGE_TEXT)
        if isinstance(args.get("blocks"), list):
            fitted["blocks"] = fit_blocks(args["blocks"])
        return fitted
    if method in VIEW_METHODS and isinstance(args.get("view"), dict):
        view = dict(args["view"])
        if isinstance(view.get("blocks"), list):
            view["blocks"] = fit_blocks(view["blocks"])
        return {**args, "view": view}
    return args


def fit_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A direct answer (an ack, a response_url post): text and blocks as in `fit`."""
    return fit("chat.postMessage", message)


def fit_blocks(blocks: list[Any]) -> list[Any]:
    """Blocks with their texts escaped (mrkdwn) and cut to each field's limit."""
    blocks = copy.deepcopy(blocks)
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "section":
            _fit_text(block.get("text"), SECTION_TEXT)
            for field in block.get("fields") or []:
                _fit_text(field, FIELD_TEXT)
            _fit_element(block.get("accessory"))
        elif kind == "header":
            _fit_text(block.get("text"), HEADER_TEXT)
        elif kind == "context":
            for element in block.get("elements") or []:
                _fit_text(element, CONTEXT_TEXT)
        elif kind == "actions":
            for element in block.get("elements") or []:
                _fit_element(element)
        elif kind == "input":
            _fit_text(block.get("label"), FIELD_TEXT)
    return blocks


def _fit_element(element: Any) -> None:
    if isinstance(element, dict) and element.get("type") == "button":
        _fit_text(element.get("text"), BUTTON_TEXT)


def _fit_text(obj: Any, limit: int) -> None:
    """Escape a mrkdwn text object and cut any text object to the limit, in place."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return
    text = escape(obj["text"]) if obj.get("type") == "mrkdwn" else obj["text"]
    obj["text"] = clip(text, limit)
