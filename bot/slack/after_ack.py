"""Slack calls go after the ack: a listener decides from local state, and speaks to Slack once acked.

Slack shows "app did not respond" when the ack takes more than 3 s, and with
`process_before_response=True` Bolt sends the ack only when the listener returns. So no listener
calls the Web API itself: it queues its calls with `later(context, method, **args)` (the private
answer, the reason modal, the Home tab; the error handler's refusals too), and `send_later`, the
lazy function of every listener registered with `ack_then_send`, makes them once the ack is gone.
Bolt runs lazy functions on the app's listener executor: worker threads in `serve` (a views.open
leaves within its trigger's 3 s), `InlineExecutor` in the console, so a script sees them in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

log = logging.getLogger(__name__)

PENDING = "slack_calls_after_ack"  # the context key of the queued calls (copied into the lazy request)
RESPOND = "respond"  # a queued "method" that answers through the response_url instead of the Web API
AFTER_ACK_THREADS = 32  # calls waiting on a slow Slack hold a thread each; none may delay a views.open


def later(context: BoltContext, method: str, **args: Any) -> None:
    """Queue one Web API call (or "respond") to be made right after the ack."""
    context.setdefault(PENDING, []).append({"method": method, "args": args})


def send_later(context: BoltContext, client: WebClient) -> None:
    """Make the queued calls, in order; a failing one is logged and does not stop the others."""
    for call in context.get(PENDING) or []:
        method, args = call["method"], call["args"]
        try:
            if method == RESPOND:
                context.respond(**args)
            else:
                client.api_call(method, json=args)
        except Exception:  # noqa: BLE001 - the ack is long gone; the log is where this can be said
            log.exception("%s after the ack failed (user %s)", method, context.user_id)


def ack_then_send(register: Callable[..., Any], listener: Callable[..., Any]) -> None:
    """Register `listener` as the ack function of a Bolt matcher, with its queued calls made after the ack."""
    register(ack=listener, lazy=[send_later])


def after_ack_executor() -> Executor:
    """The worker threads `serve` runs the after-ack calls on."""
    return ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack")


class InlineExecutor(Executor):
    """Runs each task at once in the caller's thread: the console's calls stay in step with its script."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run the task now; return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - a future carries any failure, as a pool's would
            future.set_exception(exc)
        return future
