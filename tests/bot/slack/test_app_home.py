"""App Home: the seed's Cutover Status Dashboard and the viewer's own pending approvals."""

from __future__ import annotations

from tests.support.slack_bot import IC, MGMT, OPS


def _fields(view: dict) -> dict[str, str]:
    section = next(b for b in view["blocks"] if b.get("fields"))
    return dict(f["text"].split("\n", 1) for f in section["fields"])


def _approvals(view: dict) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b["type"] == "actions"]


def test_home_before_any_cutover_says_how_to_plan_one(cutover_bot):
    view = cutover_bot.session.home(IC)
    assert view["type"] == "home"
    assert "/cutover schedule" in str(view)


def test_home_shows_the_status_dashboard(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    cutover_bot.run("step start 1A.1", as_user=OPS)
    cutover_bot.advance(minutes=2)
    view = cutover_bot.session.home(OPS)
    fields = _fields(view)
    assert (
        fields["*Current Phase*"]
        == "Phase 1A - MSK Infrastructure Failover and Phase 1B - DocumentDB Failover"
    )
    assert fields["*Current Step*"] == "1A.1 - Toggle ARC (East OFF, West ON)"
    assert fields["*Time Elapsed*"] == "2m"
    assert fields["*Time Remaining*"] == "5m (estimated)"
    assert fields["*Status*"] == "Executing"
    assert fields["*Next Phase*"] == "Phase 2A and Phase 2B"
    assert cutover_bot.posted("views.publish")[-1]["user_id"] == OPS


def test_home_lists_the_viewers_pending_approvals(cutover_bot):
    cutover_bot.to_started()
    for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
        cutover_bot.run(f"step start {step}", as_user=who)
        cutover_bot.run(f"step done {step}", as_user=who)
    assert _approvals(cutover_bot.session.home(IC)) == ["home-gate:1"]
    assert _approvals(cutover_bot.session.home(MGMT)) == []
    assert "Nothing waits for your approval." in str(cutover_bot.session.home(OPS))


def test_gate_5_leaves_the_ic_list_once_the_ic_approved(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    plan, roster = cutover_bot.services.plan, cutover_bot.services.roster
    for phase in [p for p in plan.phases if p.stage > 0]:
        for step in phase.steps:
            who = roster.members_of(step.raci.R[0])[0].slack_id
            cutover_bot.run(f"step start {step.id}", as_user=who)
            cutover_bot.run(f"step done {step.id}", as_user=who)
        for number in (2, 3, 4):
            if cutover_bot.state.gate(number).status == "open":
                cutover_bot.run(f"gate approve {number}", as_user=IC)
    assert _approvals(cutover_bot.session.home(IC)) == ["home-gate:5"]
    assert _approvals(cutover_bot.session.home(MGMT)) == ["home-gate:5"]
    cutover_bot.run("gate approve 5", as_user=IC)
    assert _approvals(cutover_bot.session.home(IC)) == []
    assert _approvals(cutover_bot.session.home(MGMT)) == ["home-gate:5"]


def test_home_is_refreshed_with_each_status_update_without_being_opened(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.run("step start 0.1", as_user=OPS)
    before = len(cutover_bot.posted("views.publish"))
    cutover_bot.advance(minutes=2)  # a status update falls due
    published = cutover_bot.posted("views.publish")[before:]
    everyone = {m.slack_id for m in cutover_bot.services.roster.everyone()}
    assert {p["user_id"] for p in published} == everyone
    latest = {p["user_id"]: p["view"] for p in published}
    assert _fields(latest[OPS])["*Current Step*"] == "0.1 - Monitor dashboard"


def test_an_approver_sees_a_newly_opened_gate_at_once(cutover_bot):
    cutover_bot.to_started()
    for step in ("0.1", "0.2"):
        cutover_bot.run(f"step start {step}", as_user=OPS)
        cutover_bot.run(f"step done {step}", as_user=OPS)
    cutover_bot.run("step start 0.3", as_user=IC)
    cutover_bot.run("step done 0.3", as_user=IC)  # Gate 1 opens
    views = [p["view"] for p in cutover_bot.posted("views.publish") if p["user_id"] == IC]
    assert _approvals(views[-1]) == ["home-gate:1"]
    assert not _approvals(
        [p["view"] for p in cutover_bot.posted("views.publish") if p["user_id"] == MGMT][-1]
    )
