"""Turning replies and refusals into text (and Block Kit) through the templates."""

from __future__ import annotations

import logging
import uuid

from commands.context import Reply
from cutover.errors import CutoverError
from templates.render import render, render_json

log = logging.getLogger(__name__)


def reply_text(reply: Reply, templates_dir: str | None = None) -> str:
    """The mrkdwn text of a reply."""
    return render(reply.template, templates_dir, **reply.context)


def reply_blocks(reply: Reply, templates_dir: str | None = None) -> list | None:
    """The Block Kit blocks of a reply, when it has a blocks template."""
    if reply.blocks_template is None:
        return None
    return render_json(reply.blocks_template, templates_dir, **reply.context)


def error_text(error: CutoverError, templates_dir: str | None = None) -> str:
    """The mrkdwn text of a refusal; a reason code is worded by templates/error/reason.j2."""
    return render(error.template, templates_dir, message=refusal_words(error, templates_dir), **error.context)


def refusal_words(error: CutoverError, templates_dir: str | None = None) -> str:
    """The sentence of a refusal: its message, or its reason worded with its data."""
    if error.message or not error.reason:
        return error.message
    return render("error/reason.j2", templates_dir, reason=error.reason, d=error.data)


def unexpected_text(error: BaseException, templates_dir: str | None = None) -> str:
    """A short correlation id for the person; the traceback goes to the log only."""
    correlation_id = uuid.uuid4().hex[:8]
    log.error("unexpected error %s", correlation_id, exc_info=error)
    return render("error/unexpected.j2", templates_dir, correlation_id=correlation_id)
