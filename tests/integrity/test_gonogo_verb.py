"""/cutover go-nogo: the checklist from the log, confirmations by their owners, overrides with RACI, GO refused."""

from __future__ import annotations

from datetime import timedelta

from bot.slack.replies import refusal_words
from cutover.errors import InvalidTransition, PermissionDenied
from cutover.integrity.drills import RehearsalRecorded
from cutover.state import Status
from cutover.timeline.events import CommAcknowledged, CommSent
from storage.eventlog import Pending
from tests.integrity.helpers import confirm_everything, integrity_bot

WINDOW = "2026-12-02 08:00"  # 02:00 CST


def record(bot, event, actor="cutover-bot"):
    state = bot.state
    bot.services.ledger.record(
        state.cutover_id, [Pending(actor=actor, at=bot.clock.now(), event=event)], state.seq
    )


def make_ready(bot):
    """Everything the log can say: rehearsals, comms sent and acknowledged, every confirmation."""
    for proc in bot.plan.rollbacks:
        record(bot, RehearsalRecorded(scenario="drill", procedure=proc.id, outcome="rolled_back"))
    for comm in ("T-7d", "T-24h"):
        record(bot, CommSent(comm_id=comm, audiences=["business_units"], subject="s"))
        record(bot, CommAcknowledged(comm_id=comm))
    confirm_everything(bot)


def test_go_is_refused_naming_the_items_then_allowed_when_all_pass(plan, roster, db_url):
    bot, infra, _, outbox = integrity_bot(plan, roster, database_url=db_url)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    refusal = bot.refused("go-nogo go all green", ic)
    assert isinstance(refusal, InvalidTransition)
    assert "Rollback R1 rehearsed within 30 days (fail: R1 was never rehearsed)" in refusal_words(refusal)
    assert "/cutover go-nogo override <reason>" in refusal_words(refusal)
    make_ready(bot)
    bot.ok("go-nogo", ic)  # measured again
    assert "Every item passes" in bot.ok("go-nogo", ic)
    bot.ok("go-nogo go all green", ic)
    assert bot.state.status == Status.GO


def test_a_fault_measured_in_the_background_blocks_go_and_is_posted_in_the_thread(plan, roster):
    bot, infra, _, outbox = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    make_ready(bot)
    infra.set_alarm("nxop-usw2-readiness-docdb", "ALARM")
    shown = bot.ok("go-nogo", ic)  # the last evaluation at once; the new one runs (inline here)
    assert "Re-evaluating now" in shown
    changed = outbox.texts()[-1]
    assert "*Readiness score >= 90%*: pass → fail" in changed
    assert "nxop-usw2-readiness-docdb (ALARM)" in changed
    call = outbox.calls[-1]
    assert call["order"] == f"thread:{bot.state.cutover_id}"
    assert call["args"]["thread_ts"] == f"{{{{ts:parent:{bot.state.cutover_id}}}}}"
    assert "Readiness score >= 90% (fail: 75% of readiness alarms OK" in refusal_words(
        bot.refused("go-nogo go now", ic)
    )
    infra.set_alarm("nxop-usw2-readiness-docdb", "OK")
    bot.ok("go-nogo", ic)
    assert "*Readiness score >= 90%*: fail → pass" in outbox.texts()[-1]
    bot.ok("go-nogo go now", ic)


def test_an_unreachable_probe_is_unknown_and_blocks_go(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    make_ready(bot)
    infra.unreachable.add("cloudwatch")
    bot.ok("go-nogo", ic)
    text = bot.ok("go-nogo", ic)
    assert ":grey_question: *Readiness score >= 90%* — fake-cloudwatch unreachable" in text
    assert "(unknown: fake-cloudwatch unreachable" in refusal_words(bot.refused("go-nogo go now", ic))


def test_standby_is_confirmed_only_by_the_on_call_member_of_a_required_role(plan, roster):
    bot, *_ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    off_call = bot.person("operations", 1)  # Priya Nair, not on call
    assert "not on call" in refusal_words(bot.refused("go-nogo confirm standby", off_call))
    dba = bot.person("database_admin")
    assert isinstance(bot.refused("go-nogo confirm standby", dba), PermissionDenied)
    assert isinstance(
        bot.refused("go-nogo confirm incident_response", bot.person("operations")), PermissionDenied
    )
    bot.ok("go-nogo confirm standby ready on the bridge", bot.person("operations"))
    assert "Marcus Hill confirmed standby" in bot.ok("go-nogo", ic)
    assert "did you mean flightkeys" in bot.run("go-nogo confirm flightkey", ic)


def test_override_asked_by_the_ic_approved_by_management_and_shown_on_go(plan, roster):
    from bot.slack.announcer import announce

    bot, infra, _, outbox = integrity_bot(plan, roster)
    bot.services.listeners.append(announce)
    ic, mgmt, ops = bot.person("incident_commander"), bot.person("management"), bot.person("operations")
    bot.ok(f"schedule {WINDOW}", ic)
    make_ready(bot)
    infra.set_alarm("nxop-usw2-readiness-eks", "INSUFFICIENT_DATA")
    bot.ok("go-nogo", ic)
    assert isinstance(bot.refused("go-nogo override we accept", ops), PermissionDenied)
    assert "no override was asked" in refusal_words(bot.refused("go-nogo approve-override", mgmt))
    asked = bot.ok("go-nogo override EKS alarm is a known false positive", ic)
    assert "Readiness score" in asked
    assert "awaits Management" in refusal_words(bot.refused("go-nogo go now", ic))
    assert isinstance(bot.refused("go-nogo approve-override", ic), PermissionDenied)
    bot.ok("go-nogo approve-override agreed with VP Ops", mgmt)
    assert "already approved" in refusal_words(bot.refused("go-nogo approve-override", mgmt))
    decided = bot.ok("go-nogo go accepted risk", ic)
    assert "Under the approved override of: readiness" in decided
    override = bot.state.integrity.override
    assert (override.items, override.requested_by, override.approved_by) == (["readiness"], ic, mgmt)
    thread = "\n".join(outbox.texts())
    assert (
        f"override asked by <@{ic}>: EKS alarm is a known false positive — items not passing: readiness"
        in thread
    )
    assert f"override approved by <@{mgmt}>: agreed with VP Ops" in thread


def test_an_override_does_not_cover_an_item_that_fails_later(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    bot.ok(f"schedule {WINDOW}", ic)
    make_ready(bot)
    infra.critical.append("nxop-usw2-api-5xx")
    bot.ok("go-nogo", ic)
    bot.ok("go-nogo override known", ic)
    bot.ok("go-nogo approve-override", mgmt)
    bot.ok("schedule 2026-12-02 12:30", ic)  # moved into the morning peak (06:30 CST)
    refusal = refusal_words(bot.refused("go-nogo go now", ic))
    assert "Window outside peak flight operations (fail: the window overlaps Morning peak" in refusal


def test_a_holiday_window_shows_on_the_checklist(plan, roster):
    bot, *_ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-25 08:00", ic)
    assert ":x: *Not on a public holiday* — 2026-12-25 is Christmas Day" in bot.ok("go-nogo", ic)


def test_rehearsals_of_any_cutover_count_and_age_out(plan, roster):
    bot, *_ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    record(bot, RehearsalRecorded(scenario="R1 drill", procedure="R1", outcome="rolled_back"))
    bot.ok("abort rehearsal cycle done", ic)
    bot.advance(minutes=60 * 24 * 10)
    bot.ok("schedule 2026-12-16 08:00", ic)  # a new cutover
    assert "*Rollback R1 rehearsed within 30 days* — last rehearsed 2026-12-01 (10 days ago)" in bot.ok(
        "go-nogo", ic
    )
    bot.clock.advance(timedelta(days=25))
    bot.ok("schedule 2027-01-06 08:00", ic)
    assert ":x: *Rollback R1 rehearsed within 30 days* — last rehearsed 2026-12-01, 35 days ago" in bot.ok(
        "go-nogo", ic
    )


def test_probe_readings_older_than_an_hour_do_not_count_for_go(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-05 08:00", ic)
    make_ready(bot)
    bot.advance(minutes=61)
    refusal = refusal_words(bot.refused("go-nogo go now", ic))
    assert "Readiness score >= 90% (unknown: last measured 2026-12-01 01:00 UTC, too long ago" in refusal
    bot.ok("go-nogo", ic)  # measures again
    bot.ok("go-nogo go now", ic)


def test_the_show_verb_answers_from_the_log_and_measures_in_a_background_thread(plan, roster, tmp_path):
    from bot.integrity.jobs import wire
    from bot.probes.fakes import FakeInfrastructure
    from tests.integrity.helpers import T0, RecordingOutbox
    from tests.support.bot import CommandBot

    bot = CommandBot(plan, roster, f"sqlite:///{tmp_path / 'c.db'}", T0)
    bot.services.outbox = RecordingOutbox()
    infra = FakeInfrastructure.for_plan(plan)
    jobs = wire(bot.services, probes=infra.probes())
    assert not jobs.inline
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    jobs.wait()
    infra.set_alarm("nxop-usw2-readiness-msk", "ALARM")
    before = bot.ok("go-nogo", ic)
    assert ":white_check_mark: *Readiness score >= 90%*" in before  # the last evaluation, instantly
    jobs.wait()
    assert "*Readiness score >= 90%* — 75% of readiness alarms OK" in bot.ok("go-nogo", ic)
    jobs.wait()
    jobs.close()


def test_go_nogo_reads_only_what_the_log_gained_since_the_folded_states(plan, roster, monkeypatch):
    import storage.eventlog as eventlog

    bot, *_ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok(f"schedule {WINDOW}", ic)
    make_ready(bot)
    bot.ok("go-nogo", ic)  # every state folded once
    reads: list[int] = []
    history = eventlog.history

    def counted(*, engine, cutover_id, after_seq=0, **rest):
        reads.append(after_seq)
        return history(engine=engine, cutover_id=cutover_id, after_seq=after_seq, **rest)

    monkeypatch.setattr(eventlog, "history", counted)
    shown = bot.ok("go-nogo", ic)
    assert "Every item passes" in shown
    assert reads and 0 not in reads, "a go/no-go read a whole log instead of the folded state"
