"""Time-driven integrity: the checklist every 30 min from T-24h, the baseline at T-1h (S3 failure said and
retried), the reconciliation at completion + 24 h — fired by bot/timeline/fire.py on a virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.timeline.fire import advance
from cutover.events import kind_of
from storage import eventlog
from tests.integrity.helpers import integrity_bot
from tests.integrity.test_validation_gate import finish_phase3, to_phase3_step
from tests.support.words import difference

WINDOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def evaluations(bot) -> list[datetime]:
    history = eventlog.history(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)
    return [r.at for r in history if kind_of(r.event) == "checklist.evaluated"]


def test_checklist_every_30_minutes_from_t_minus_24h_and_changes_posted(plan, roster):
    bot, infra, _, outbox = integrity_bot(plan, roster)
    bot.ok("schedule 2026-12-03 08:00", bot.person("incident_commander"))
    at_schedule = evaluations(bot)
    assert set(at_schedule) == {bot.clock.now()}  # scheduling (and the T-7d comms it sends) evaluate at once
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=24, minutes=1))
    before = len(evaluations(bot))
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=23))
    assert [t for t in evaluations(bot)[before:] if t >= WINDOW - timedelta(hours=24)][-3:] == [
        WINDOW - timedelta(hours=24),
        WINDOW - timedelta(hours=23, minutes=30),
        WINDOW - timedelta(hours=23),
    ]
    posts = len(outbox.texts())
    infra.set_alarm("nxop-usw2-readiness-nlb", "ALARM")
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=22, minutes=15))
    assert evaluations(bot)[-1] == WINDOW - timedelta(hours=22, minutes=30)
    changed = [t for t in outbox.texts()[posts:] if "checklist changed" in t]
    assert len(changed) == 1 and "*Readiness score >= 90%*: pass → fail" in changed[0]
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=22))
    assert len([t for t in outbox.texts()[posts:] if "checklist changed" in t]) == 1  # nothing else changed
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=22))
    assert evaluations(bot)[-1] == WINDOW - timedelta(hours=22)  # firing again at the same t is a no-op
    assert evaluations(bot).count(WINDOW - timedelta(hours=22)) == 1


def test_baseline_at_t_minus_1h_and_a_failed_s3_archive_is_said_and_retried(plan, roster):
    bot, infra, archive, outbox = integrity_bot(plan, roster)
    bot.ok("schedule 2026-12-03 08:00", bot.person("incident_commander"))
    archive.failures = 1
    advance(bot.services, bot.clock, WINDOW - timedelta(hours=1, minutes=1))
    assert bot.state.integrity.baseline is None
    advance(bot.services, bot.clock, WINDOW - timedelta(minutes=59, seconds=30))
    assert bot.state.integrity.baseline_at == WINDOW - timedelta(hours=1)
    assert bot.state.integrity.baseline["archive"] == ""
    said = [t for t in outbox.texts() if "Data baseline captured" in t]
    assert len(said) == 1 and "Not archived to S3 (OSError: S3 unavailable (injected))" in said[0]
    advance(bot.services, bot.clock, WINDOW - timedelta(minutes=58))
    uri = f"s3://nxop-cutover-baselines/{bot.state.cutover_id}/20261203T070000Z.json"
    assert bot.state.integrity.baseline["archive"] == uri
    assert archive.objects[uri]["msk"] == bot.state.integrity.baseline["msk"]
    assert f"now archived at {uri}" in outbox.texts()[-1]


def test_reconciliation_24_hours_after_success(plan, roster):
    bot, infra, _, outbox = integrity_bot(plan, roster)
    to_phase3_step(bot, "3.2")
    finish_phase3(bot)
    bot.ok("gate approve 5", bot.person("incident_commander"))
    bot.ok("gate approve 5", bot.person("management"))
    ended = bot.state.ended_at
    infra.lose_documents("us-west-2", "aircraft_configurations", 2)
    advance(bot.services, bot.clock, ended + timedelta(hours=23, minutes=59))
    assert bot.state.integrity.reconciliation is None
    advance(bot.services, bot.clock, ended + timedelta(hours=24, minutes=1))
    assert bot.state.integrity.reconciliation_at == ended + timedelta(hours=24)
    diffs = bot.state.integrity.reconciliation["differences"]
    assert [(d["name"], difference(d)) for d in diffs] == [
        ("aircraft_configurations", "document counts differ by 2"),
        ("aircraft_configurations", "checksums (version) differ"),
    ]
    assert "Reconciliation us-east-1 vs us-west-2: 2 difference(s)" in outbox.texts()[-1]
