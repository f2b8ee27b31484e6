"""Failure notices: a call that failed its first attempt is said once in the cutover's thread.

A row may carry `notify` ({"channel", "thread_ts", "order"}): where to say that its delivery is failing
(an optional integration such as email). The notice is itself a queued call, keyed by the row's key,
so it is said once however many retries follow.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from templates.render import render


def failure_notice(
    *, key: str, method: str, args: dict[str, Any], error: str, retry_in: timedelta, templates_dir: str | None
) -> dict[str, Any] | None:
    """The `enqueue` arguments of the notice for a failing call, or None when it names no thread."""
    notify = args.get("notify")
    if not isinstance(notify, dict) or not notify.get("channel"):
        return None
    text = render(
        "time/delivery_failed.j2", templates_dir, method=method, args=args, error=error, retry_in=retry_in
    )
    return {
        "method": "chat.postMessage",
        "key": f"notice:{key}",
        "order": notify.get("order", ""),
        "args": {"channel": notify["channel"], "thread_ts": notify.get("thread_ts"), "text": text},
    }
