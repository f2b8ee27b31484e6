"""Communications that keep their word: revised ETAs, the 15-minute updates, Level 3 to everyone, the
Level 1 notice at T-1h, the status page link, the truth about monitoring after a rollback, a short notice."""

from __future__ import annotations

from datetime import timedelta

from cutover.status.eta import estimated_completion
from tests.timeline.conftest import WINDOW
from tests.timeline.harness import events, run_to_success
from tests.timeline.test_schedule import schedule_and_start

STATUS_LINK = "Status page: https://status.nxop.com · hotline 1-800-NXOP-OPS"


def test_t_plus_10m_gives_a_revised_eta_computed_from_the_plan_and_the_progress(timed):
    schedule_and_start(timed)
    timed.ok("step start 0.1", timed.person("operations"))
    timed.advance(minutes=9)
    expected = estimated_completion(timed.state, timed.plan, WINDOW + timedelta(minutes=10))
    timed.advance(minutes=2)
    (post, *_) = timed.posts("Maintenance status update: revised ETA", channel="#nxop-business")
    assert f"Revised ETA: {expected:%H:%M} UTC" in post["text"]
    assert expected == WINDOW + timedelta(minutes=56)  # 0.1 still running at its 5m timeout pushes it out
    assert STATUS_LINK in post["text"]


def test_the_business_hears_every_15_minutes_until_the_end(timed):
    schedule_and_start(timed)
    run_to_success(timed, step_minutes=1.5)
    ended = timed.state.ended_at
    timed.until(ended + timedelta(hours=2))
    sent = [r for r in events(timed, "comm.sent") if r.event.comm_id.startswith("T+15m#")]
    assert [r.at for r in sent] == [WINDOW + timedelta(minutes=15 * n) for n in range(1, len(sent) + 1)]
    assert sent and sent[-1].at < ended
    for channel in ("#nxop-business", "#nxop-ops-center"):
        updates = [p for p in timed.posts("Maintenance status update (", channel=channel)]
        assert len(updates) == len(sent) and all("Revised ETA: " in p["text"] for p in updates)
        assert all(STATUS_LINK in p["text"] for p in updates)
        assert all("comm_ack" not in str(p.get("blocks")) for p in updates)  # updates need no acknowledgement


def test_level_3_reaches_every_audience_with_the_manual_procedures(timed):
    schedule_and_start(timed)
    ic = timed.person("incident_commander")
    timed.through_phase0()
    timed.ok("step start 1A.1", timed.person(timed.plan.steps_by_id["1A.1"].raci.R[0]))  # something switched
    timed.ok("rollback R2 connections failing", ic)
    step = timed.plan.rollbacks_by_id["R2"].steps[0]
    who = timed.person(step.raci.R[0])
    timed.ok(f"step start {step.id}", who)
    timed.advance(minutes=1)
    timed.ok(f"step fail {step.id} the writer will not come back", who)
    timed.advance(seconds=30)
    assert timed.state.status == "rollback_failed"
    audiences = timed.plan.communications.audiences
    for audience in audiences.values():
        for channel in audience.slack_channels:
            (post,) = timed.posts("EMERGENCY: the rollback", channel=channel)
            assert "Flight Release (Manual)" in post["text"] and STATUS_LINK in post["text"]
    emailed = {
        a for m in timed.emails("Emergency: NXOP unavailable") for a in m["Destination"]["ToAddresses"]
    }
    assert emailed == {e for a in audiences.values() for e in a.emails}  # partners included


def test_t_minus_1h_announces_level_1_and_every_stakeholder_message_links_the_status_page(timed):
    schedule_and_start(timed)
    run_to_success(timed)
    timed.until(timed.state.ended_at + timedelta(hours=25))
    (final,) = timed.posts("System Maintenance Starting in 1 Hour", channel="#nxop-business")
    assert (
        'From the start, service level 1: Planned Maintenance (During Cutover): "Maintenance in progress'
        in (final["text"])
    )
    business_posts = timed.posts(channel="#nxop-business") + timed.posts(channel="#nxop-ops-center")
    assert len(business_posts) >= 8 and all(STATUS_LINK in p["text"] for p in business_posts)
    for mail in timed.ses.sent:
        assert "Status page: https://status.nxop.com" in mail["Message"]["Body"]["Text"]["Data"]


def test_after_a_rollback_no_message_promises_monitoring_that_does_not_run(timed):
    schedule_and_start(timed)
    ic = timed.person("incident_commander")
    timed.through_phase0()
    timed.ok("step start 1A.1", timed.person(timed.plan.steps_by_id["1A.1"].raci.R[0]))  # something switched
    timed.ok("rollback R1 msk failover failed", ic)
    for step in timed.plan.rollbacks_by_id["R1"].steps:
        if not step.parallel:
            timed.do_step(step.id)
    timed.confirm_rollback_checklist()
    assert timed.state.status == "rolled_back"
    timed.until(timed.state.ended_at + timedelta(hours=25))
    (report,) = timed.posts("Post-cutover report", channel="#nxop-business")
    assert "no extended monitoring" in report["text"] and "72 hours" not in report["text"]
    assert not events(timed, "monitoring.checkpoint")


def test_a_window_set_less_than_7_days_ahead_says_so_instead_of_blaming_the_bot(timed):
    timed.until(WINDOW - timedelta(days=2))
    timed.ok("schedule 2026-12-02 02:00", timed.person("incident_commander"))
    timed.advance(seconds=1)
    (notice,) = timed.posts("Planned System Maintenance", channel="#nxop-business")
    assert (
        "This notice was planned 7d ahead; the window was scheduled only 2d before it starts"
        in notice["text"]
    )
    assert "bot was unavailable" not in notice["text"]
    (mail, *_) = timed.emails("Planned System Maintenance")
    assert "bot was unavailable" not in mail["Message"]["Body"]["Text"]["Data"]


def test_the_business_is_told_at_once_when_a_rollback_is_ordered_and_when_services_are_restored(timed):
    schedule_and_start(timed)
    ic = timed.person("incident_commander")
    timed.through_phase0()
    timed.ok("step start 1A.1", timed.person(timed.plan.steps_by_id["1A.1"].raci.R[0]))  # something switched
    business = timed.plan.communications.audiences["business_units"]
    before = len(timed.posts(channel="#nxop-business"))
    timed.ok("rollback R1 msk failover failed", ic)
    ordered = timed.state.rollback.ordered_at
    timed.advance(seconds=1)
    (l2,) = [r for r in events(timed, "comm.sent") if r.event.comm_id == "L2"]
    assert l2.at == ordered and l2.event.late_by_s == 0  # seed 5.2: "announce immediately if rollback needed"
    for channel in ("#nxop-business", "#nxop-ops-center", "#nxop-cutover"):
        (post,) = timed.posts("*Extended maintenance: service restoration in progress*", channel=channel)
        assert (
            "a partial rollback (R1) was ordered at" in post["text"]
            and "planned to take 3m30s" in post["text"]
        )
        assert "Estimated restoration: " in post["text"] and STATUS_LINK in post["text"]
        assert "No new operations accepted" in post["text"]
    emailed = {a for m in timed.emails("Extended maintenance") for a in m["Destination"]["ToAddresses"]}
    assert (
        set(business.emails) <= emailed and "flightkeys-ops@example.com" not in emailed
    )  # partners: not asked
    assert len(timed.posts(channel="#nxop-business")) == before + 1
    for step in timed.plan.rollbacks_by_id["R1"].steps:
        if not step.parallel:
            timed.do_step(step.id)
    timed.confirm_rollback_checklist()
    timed.advance(seconds=1)
    (restored,) = timed.posts("Maintenance ended: the change was rolled back", channel="#nxop-business")
    assert "services are restored in us-east-1" in restored["text"]  # seed 4.4: "Rollback complete"


def test_without_a_rollback_the_rollback_notice_is_never_sent(timed):
    schedule_and_start(timed)
    run_to_success(timed)
    timed.advance(minutes=1)
    assert "L2" not in {r.event.comm_id for r in events(timed, "comm.sent")}
    (cancelled,) = [r for r in events(timed, "comm.cancelled") if r.event.comm_id == "L2"]
    assert cancelled.event.code == "no_rollback" and cancelled.event.reason == ""
    assert not timed.posts("Extended Maintenance - Service Restoration")
