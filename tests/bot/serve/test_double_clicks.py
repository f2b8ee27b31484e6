"""Over real HTTP, on SQLite and PostgreSQL: a double click or a second modal is never applied twice."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

from bot.timeline.fire import fire_due
from tests.bot.serve.test_serve_http import (  # noqa: F401
    IC,
    IC2,
    MANAGEMENT,
    SECRET,
    roster_with_two_ics,
    served_any_db,
    started_with_phase0_done,
)
from tests.support.slack_http import SlackSender


def at_once(count: int, send) -> list[int]:
    """Run `send(i)` in `count` threads released together; their HTTP statuses."""
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def run(i: int) -> None:
        barrier.wait()
        statuses[i] = send(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def reason_modal(command: str, view_id: str) -> dict:
    """The reason modal as Slack hands it back on submission (its own view id per opening)."""
    metadata = json.dumps({"command": command, "channel": "C0CUTOVER"})
    return {
        "id": view_id,
        "type": "modal",
        "hash": f"h-{view_id}",
        "callback_id": "cutover_reason",
        "private_metadata": metadata,
    }


def test_two_reject_modals_give_one_rejection_and_one_broadcast(served_any_db):  # noqa: F811
    bot = served_any_db
    started_with_phase0_done(bot)
    bot.slack.clear()
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "replication lag 40 s"}}}

    def submit(i: int) -> int:
        sender = SlackSender(bot.server.url, SECRET, response_urls=bot.slack.response_url(""))
        user = (IC, IC2)[i % 2]
        request = sender.requests.view_submission(user, reason_modal("gate reject 1", f"V{i}"), values)
        status = sender.send(request).status
        sender.close()
        return status

    assert at_once(4, submit) == [200] * 4
    assert bot.kinds().count("gate.rejected") == 1
    bot.runtime.services.outbox.drain()  # on PostgreSQL the leader's deliverer may not have passed yet

    def told() -> list[str]:  # the answers go out right after each ack (lazily)
        return [c["args"]["text"] for c in bot.slack.calls_to("chat.postEphemeral")]

    deadline = time.monotonic() + 10
    while sum("already rejected" in text for text in told()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    broadcasts = [c for c in bot.slack.calls_to("chat.postMessage") if c["args"].get("reply_broadcast")]
    assert len([c for c in broadcasts if "reject" in c["args"]["text"].lower()]) == 1
    assert sum("already rejected" in text for text in told()) == 3


def test_eight_concurrent_acknowledge_clicks_give_one_acknowledgement(served_any_db):  # noqa: F811
    bot = served_any_db
    bot.run("schedule 2026-12-08 02:00", IC)
    fire_due(bot.runtime.services, bot.clock.advance(timedelta(hours=2)))  # T-7d goes out
    assert bot.kinds().count("comm.sent") == 2  # T-7d and P-7d (the partners)
    cutover = bot.runtime.services.ledger.current().cutover_id
    value = f"{cutover}|T-7d|business_units"

    def click(i: int) -> int:
        sender = SlackSender(bot.server.url, SECRET, response_urls=bot.slack.response_url(""))
        status = sender.send(sender.click_request("comm_ack", value, user=MANAGEMENT)).status
        sender.close()
        return status

    assert at_once(8, click) == [200] * 8
    assert bot.kinds().count("comm.acknowledged") == 1
    # a stranger's click records no acknowledgement either
    stranger = SlackSender(bot.server.url, SECRET, response_urls=bot.slack.response_url(""))
    assert stranger.send(stranger.click_request("comm_ack", value, user="U0STRANGE")).status == 200
    assert bot.kinds().count("comm.acknowledged") == 1
