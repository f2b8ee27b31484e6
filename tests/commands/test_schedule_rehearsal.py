"""A rehearsal's cutover is marked as one by the schedule that creates it, and only then."""

from __future__ import annotations

from storage import eventlog


def kinds(bot) -> list[str]:
    return [
        r.event.kind for r in eventlog.history(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)
    ]


def test_a_rehearsal_is_marked_with_the_schedule_that_creates_its_cutover(bot):
    bot.services.rehearsal = "happy"
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    assert bot.state.integrity.rehearsal == "happy"
    assert kinds(bot)[:3] == ["cutover.planned", "cutover.scheduled", "rehearsal.marked"]
    bot.ok("schedule 2026-12-03 02:00", ic)  # moving the window does not mark it again
    assert kinds(bot).count("rehearsal.marked") == 1


def test_a_production_schedule_is_not_marked_as_a_rehearsal(bot):
    bot.ok("schedule 2026-12-02 02:00", bot.person("incident_commander"))
    assert bot.state.integrity.rehearsal is None
    assert "rehearsal.marked" not in kinds(bot)
