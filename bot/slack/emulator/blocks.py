"""Block Kit and views as Slack checks them: slack_sdk's models plus the limits Slack enforces.

`message_problems(args)` and `view_problems(view)` return Slack's error code and its messages
(`[ERROR] ...`, as in `response_metadata.messages`), or None when Slack would accept them.
Each block is parsed with `slack_sdk.models.blocks.Block.parse` and validated (`validate_json`:
text lengths, element counts, button text 75, action_id 255, value 2,000, header 150, ...);
on top of that: at most 50 blocks in a message and 100 in a view, block_ids unique within a message
or view, action_ids unique within their block (Slack's reference: "unique among all other action_ids
in the containing block"), message text at most 40,000 characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMIT = 40_000
PRIVATE_METADATA = 3_000
CALLBACK_ID = 255
ELEMENT_LIMITS = {"button": {"text": 75, "action_id": 255, "value": 2000, "url": 3000}}

Problem = tuple[str, list[str]]  # (Slack's error code, its "[ERROR] ..." messages)


def decoded(value: Any) -> Any:
    """A JSON-encoded argument (a form post sends blocks and views as strings), decoded."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def message_problems(args: dict[str, Any], *, need_text: bool = True) -> Problem | None:
    """Why Slack would refuse this message's text or blocks, or None."""
    text = args.get("text")
    blocks = decoded(args.get("blocks"))
    if (
        need_text
        and not text
        and not blocks
        and not args.get("attachments")
        and not args.get("markdown_text")
    ):
        return "no_text", ["[ERROR] text, blocks or attachments is required"]
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        return "msg_too_long", [f"[ERROR] text is {len(text)} characters, more than {TEXT_LIMIT}"]
    if blocks in (None, "", []):
        return None
    errors = blocks_problems(blocks, MESSAGE_BLOCKS, "blocks")
    return ("invalid_blocks", errors) if errors else None


def blocks_problems(blocks: Any, limit: int, where: str) -> list[str]:
    """Every reason Slack would refuse this list of blocks (as its "[ERROR] ..." lines)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] {where} must be an array [json-pointer:/{where}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:/{where}]")
    block_ids: set[str] = set()
    for i, raw in enumerate(blocks):
        pointer = f"[json-pointer:/{where}/{i}]"
        if not isinstance(raw, dict):
            errors.append(f"[ERROR] a block must be an object {pointer}")
            continue
        try:
            block = Block.parse(raw)
            if block is None:
                errors.append(f"[ERROR] unknown block type {raw.get('type')!r} {pointer}")
                continue
            block.validate_json()
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as exc:
            errors.append(f"[ERROR] {exc} {pointer}")
            continue
        block_id = raw.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                errors.append(f"[ERROR] duplicate block_id {block_id!r} {pointer}")
            block_ids.add(block_id)
        errors += [f"{problem} {pointer}" for problem in _element_problems(raw)]
        action_ids = list(_action_ids(raw))
        for action_id in sorted({a for a in action_ids if action_ids.count(a) > 1}):
            errors.append(f"[ERROR] duplicate action_id {action_id!r} in one block {pointer}")
    return errors


def view_problems(view: Any) -> Problem | None:
    """Why Slack would refuse this view (views.open/publish/update/push), or None."""
    view = decoded(view)
    if not isinstance(view, dict):
        return "invalid_arguments", ["[ERROR] view must be an object [json-pointer:/view]"]
    blocks = view.get("blocks")
    errors = blocks_problems(blocks if blocks is not None else [], VIEW_BLOCKS, "view/blocks")
    if view.get("type") not in ("modal", "home"):
        errors.append("[ERROR] view type must be modal or home [json-pointer:/view/type]")
    if view.get("type") == "modal" and not view.get("title"):
        errors.append("[ERROR] a modal needs a title [json-pointer:/view/title]")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        errors.append(f"[ERROR] private_metadata over {PRIVATE_METADATA} characters [json-pointer:/view]")
    if len(str(view.get("callback_id") or "")) > CALLBACK_ID:
        errors.append(f"[ERROR] callback_id over {CALLBACK_ID} characters [json-pointer:/view]")
    if not errors:
        try:
            fields = {k: v for k, v in view.items() if k not in ("id", "hash", "state", "team_id", "app_id")}
            View(**fields).validate_json()
        except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as exc:
            errors.append(f"[ERROR] {exc} [json-pointer:/view]")
    return ("invalid_arguments", errors) if errors else None


def _action_ids(block: dict[str, Any]) -> Iterator[str]:
    """The action_ids of a block's interactive elements (actions, section accessory, input element)."""
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            elements.append(block[key])
    for element in elements:
        if isinstance(element, dict) and element.get("action_id"):
            yield str(element["action_id"])


def _element_problems(block: dict[str, Any]) -> Iterator[str]:
    """Limits of interactive elements that slack_sdk's models do not check (a button's text: 75)."""
    elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
    if isinstance(block.get("accessory"), dict):
        elements.append(block["accessory"])
    for element in elements:
        if not isinstance(element, dict):
            continue
        for name, limit in ELEMENT_LIMITS.get(str(element.get("type")), {}).items():
            value = element.get(name)
            length = len(str(value.get("text", ""))) if isinstance(value, dict) else len(str(value or ""))
            if length > limit:
                yield f"[ERROR] {element['type']} {name} must be at most {limit} characters"
