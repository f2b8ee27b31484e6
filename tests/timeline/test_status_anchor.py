"""Status posts carry the chain head (Slack message metadata): an anchor of the log outside the database."""

from __future__ import annotations

import sqlite3

from storage import eventlog
from tests.timeline.test_schedule import schedule_and_start


def test_each_status_post_publishes_the_chain_head_in_its_metadata(timed):
    schedule_and_start(timed)
    timed.advance(minutes=3)
    [*_, post] = timed.posts("CUTOVER STATUS UPDATE")
    head = post["metadata"]
    assert head["event_type"] == "cutover_chain_head"
    payload = head["event_payload"]
    history = eventlog.history_verified(engine=timed.services.ledger.db, cutover_id=timed.state.cutover_id)[0]
    with sqlite3.connect(timed.services.ledger.db.url.database) as db:
        rows = db.execute(
            "SELECT hash FROM events WHERE cutover_id = ? AND seq = ?",
            (payload["cutover_id"], payload["seq"]),
        ).fetchall()
    assert payload["seq"] < len(history) and rows == [(payload["hash"],)]
