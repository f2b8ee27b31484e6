"""Slack calls go after the ack: a listener decides from local state, and speaks to Slack once acked.

Slack shows "app did not respond" when the ack takes more than 3 s, and with
`process_before_response=True` Bolt sends the ack only when the listener returns. So no listener
calls the Web API itself: it queues its calls with `later(context, method, **args)` (the private
answer, the reason modal, the Home tab; the error handler's refusals too). A listener registered
with `ack_then_send` hands its queued calls, as they are (small dicts), to the after-ack executor
when it returns; the error handler does the same with its refusal. The executor is worker threads
in `serve` (a views.open leaves within its trigger's 3 s), `InlineExecutor` in the console, so a
script sees them in order. Bolt's lazy listeners did this before, but each deep-copied its whole
request: with a slow Slack, thousands of copies queued up, and collecting them paused every ack.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

log = logging.getLogger(__name__)

PENDING = "slack_calls_after_ack"  # the context key of the calls queued by this request
RESPOND = "respond"  # a queued "method" that answers through the response_url instead of the Web API
AFTER_ACK_THREADS = 32  # calls waiting on a slow Slack hold a thread each; none may delay a views.open


def later(context: BoltContext, method: str, **args: Any) -> None:
    """Queue one Web API call (or "respond") to be made right after the ack."""
    context.setdefault(PENDING, []).append({"method": method, "args": args})


EXECUTOR = "after_ack_executor"  # the context key of the executor the queued calls are made on


def send_later(context: BoltContext) -> None:
    """Hand the calls queued so far to the after-ack executor (at once when there is none)."""
    calls = context.pop(PENDING, None)
    if not calls:
        return
    client, respond, user = context.client, context.respond, context.user_id
    executor = context.get(EXECUTOR)
    if executor is None:
        _send(calls, client, respond, user)
        return
    executor.submit(_send, calls, client, respond, user)


def _send(calls: list[dict[str, Any]], client: WebClient, respond: Any, user: str | None) -> None:
    """Make the queued calls, in order; a failing one is logged and does not stop the others."""
    for call in calls:
        method, args = call["method"], call["args"]
        try:
            if method == RESPOND:
                if respond is None:
                    raise LookupError("no response_url to respond to")
                respond(**args)
            else:
                client.api_call(method, json=args)
        except Exception:  # noqa: BLE001 - the ack is long gone; the log is where this can be said
            log.exception("%s after the ack failed (user %s)", method, user)


def ack_then_send(register: Callable[..., Any], listener: Callable[..., Any]) -> None:
    """Register `listener` as a Bolt ack function whose queued calls go to Slack as it returns (or raises)."""

    @functools.wraps(listener)  # Bolt injects the listener's own arguments (it unwraps)
    def then_send(*args: Any, **kwargs: Any) -> Any:
        try:
            return listener(*args, **kwargs)
        finally:
            send_later(kwargs["context"])

    register(then_send)


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
