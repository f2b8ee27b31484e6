"""storage.eventlog.history_verified: the same events and verdict as history + verify, from one read."""

from __future__ import annotations

from sqlalchemy import update

from storage import eventlog
from storage.models import EventRow
from tests.report.conftest import built
from tests.support import report_logs


def test_it_matches_history_and_verify(plan, roster, db_url):
    bot = built(plan, roster, report_logs.r2_log, url=db_url)
    db, cutover_id = bot.services.ledger.db, bot.state.cutover_id
    events, audit = eventlog.history_verified(engine=db, cutover_id=cutover_id)
    assert events == eventlog.history(engine=db, cutover_id=cutover_id)
    assert audit == eventlog.verify(engine=db, cutover_id=cutover_id) and audit.ok


def test_it_names_the_first_modified_row_like_verify(plan, roster, db_url):
    bot = built(plan, roster, report_logs.r1_log, url=db_url)
    db, cutover_id = bot.services.ledger.db, bot.state.cutover_id
    with db.begin() as connection:
        connection.execute(
            update(EventRow)
            .where(EventRow.cutover_id == cutover_id, EventRow.seq == 12)
            .values(actor="U0MALLORY")
        )
    _, audit = eventlog.history_verified(engine=db, cutover_id=cutover_id)
    assert audit == eventlog.verify(engine=db, cutover_id=cutover_id)
    assert not audit.ok and audit.first_bad_seq == 12
