"""A log that fails verification is not acted on: the bot turns read-only, says so once, and names the row.

The log is verified at start-up (`serve`), by `/cutover audit verify`, and whenever a read meets a row it
cannot understand (an edited kind, payload or time); from the first failure on, every command that would
change something is refused with the failing row, and reading commands are still answered.
"""

from __future__ import annotations

import logging

from commands.context import Services
from cutover.errors import LogFailedVerification

log = logging.getLogger(__name__)


def refuse_on_a_failed_log(services: Services, changes: bool) -> None:
    """A log that failed verification is not acted on: every command that would change it is refused."""
    failure = services.audit_failure
    if failure is not None and changes:
        raise LogFailedVerification(
            result=failure, cutover_id=failure.cutover_id, first_bad_seq=failure.first_bad_seq
        )


def mark_failed_log(services: Services) -> None:
    """Verify every cutover of the log; the first that fails puts the bot in read-only mode (once)."""
    from storage import eventlog

    db = services.ledger.db
    anchored = eventlog.read_anchors(db)
    for cutover_id in eventlog.audited_cutover_ids(engine=db, anchored=anchored):
        result = eventlog.verify(engine=db, cutover_id=cutover_id, anchored=anchored)
        if not result.ok:
            fail(services, result)
            return


def fail(services: Services, result) -> None:
    """Turn read-only on this failed verification (the first one is kept) and tell the listeners once."""
    if services.audit_failure is not None:
        return
    services.audit_failure = result
    log.error("the event log failed verification: %s at row %s", result.cutover_id, result.first_bad_seq)
    for tell in services.audit_failed_listeners:
        try:
            tell(services, result)
        except Exception:  # noqa: BLE001 - telling is best effort; read-only mode is already on
            log.exception("could not announce the failed verification")
