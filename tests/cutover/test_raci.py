"""RACI enforcement: allow and deny for every command x role, against a table written from the seed."""

from __future__ import annotations

import pytest

from cutover.raci import Action, may
from cutover.roster import Member, Roster

ROLES = [
    "incident_commander",
    "operations",
    "engineering",
    "engineering_lead",
    "database_admin",
    "network_engineer",
    "application_engineer",
    "management",
]

LIFECYCLE = {  # action -> roles allowed (seed 2.1 and the issue: IC starts, aborts, orders rollbacks; R3 also Management)
    "schedule": {"incident_commander", "management"},
    "go_nogo": {"incident_commander"},
    "start": {"incident_commander"},
    "pause": {"incident_commander"},
    "resume": {"incident_commander"},
    "abort": {"incident_commander"},
    "rollback R1": {"incident_commander"},
    "rollback R2": {"incident_commander"},
    "rollback R3": {"incident_commander", "management"},
    "note": set(ROLES),
    "read": set(ROLES),
}
STEP_R = {  # seed 2.1's R column (3.2 from seed 3.2: Database Admin + Operations) and 4.2's rollback steps
    "0.1": {"operations"},
    "0.2": {"operations"},
    "0.3": {"incident_commander"},
    **{f"1A.{i}": {"operations"} for i in range(1, 5)},
    **{f"1B.{i}": {"database_admin"} for i in range(1, 5)},
    "2A.1": {"network_engineer"},
    "2A.2": {"network_engineer"},
    "2B.1": {"application_engineer"},
    "2B.2": {"application_engineer"},
    "3.1": {"operations"},
    "3.2": {"database_admin", "operations"},
    "3.3": {"operations"},
    "3.4": {"incident_commander"},
    "R1.1": {"operations"},
    "R1.2": {"operations"},
    "R1.3": {"operations"},
    "R2.1": {"network_engineer"},
    "R2.2": {"database_admin"},
    "R2.3": {"database_admin"},
    "R2.4": {"operations"},
    "R2.5": {"operations"},
    "R2.6": {"database_admin"},
    "R2.7": {"operations"},
    "R3.1": {"network_engineer"},
    "R3.2": {"database_admin"},
    "R3.4": {"database_admin"},
    "R3.5": {"incident_commander"},
}
GATES = {
    1: {"incident_commander"},
    2: {"incident_commander"},
    3: {"incident_commander"},
    4: {"incident_commander"},
    5: {"incident_commander", "management"},
}


@pytest.fixture(scope="module")
def one_role_roster():
    """One person per role, nobody holding two."""
    return Roster(
        {
            role: [
                Member(slack_id=f"U{i:04d}X", name=role.title(), email=f"{role}@example.com", on_call=True)
            ]
            for i, role in enumerate(ROLES)
        }
    )


def cases():
    for text, allowed in LIFECYCLE.items():
        name, _, target = text.partition(" ")
        for role in ROLES:
            yield pytest.param(Action(name, target), role, role in allowed, id=f"{text}-{role}")
    for sid, allowed in STEP_R.items():
        for role in ROLES:
            yield pytest.param(Action("step", sid), role, role in allowed, id=f"step {sid}-{role}")
    for number, allowed in GATES.items():
        for role in ROLES:
            yield pytest.param(Action("gate", str(number)), role, role in allowed, id=f"gate {number}-{role}")


@pytest.mark.parametrize(("action", "role", "expected"), list(cases()))
def test_may_matches_the_seed(plan, one_role_roster, action, role, expected):
    actor = one_role_roster.members_of(role)[0].slack_id
    decision = may(actor, action, plan, one_role_roster)
    assert decision.allowed is expected
    if not expected:
        assert decision.reason
        assert all(h.slack_id != actor for h in decision.holders)


def test_the_step_table_covers_every_step_of_the_runbook(plan):
    assert set(STEP_R) == set(plan.steps_by_id) | set(plan.rollback_steps_by_id)


@pytest.mark.parametrize(
    "action", [Action("note"), Action("start"), Action("step", "1A.1"), Action("gate", "5")]
)
def test_nobody_outside_the_roster_does_anything_but_read(plan, one_role_roster, action):
    assert not may("U9OUTSIDER", action, plan, one_role_roster).allowed
    assert may("U9OUTSIDER", Action("read"), plan, one_role_roster).allowed


def test_a_denial_names_the_role_and_who_holds_it_and_is_recorded(bot):
    bot.to_started()
    seq = bot.state.seq
    net = bot.person("network_engineer")
    err = bot.refused("step start 0.1", net)
    text = bot.run("step start 0.1", net)
    assert "It needs *Operations*" in text
    for member in bot.roster.members_of("operations"):
        assert f"{member.name} (<@{member.slack_id}>)" in text
    assert "recorded in the cutover log" in text
    assert err.context["decision"].roles == ("operations",)
    # the second denial within a minute is counted, not chained: it rides on the next recorded one
    assert bot.state.seq == seq + 1 and bot.state.denials == 1
    assert bot.services.denials.pending(net) == 1
    assert bot.state.step("0.1").status == "pending"


def test_an_outsider_is_told_they_are_not_on_the_roster(bot):
    bot.to_started()
    text = bot.run("abort because", "U0STRANGER")
    assert "you are not on the cutover roster" in text
    assert "Dana Reyes" in text
    assert bot.state.status == "executing"


def test_help_marks_what_the_asker_may_not_do(bot):
    text = bot.ok("help", bot.person("network_engineer"))
    assert "• `/cutover step start|done|fail <ID> [note]`" in text
    assert ":lock: `/cutover start`" in text
    assert ":lock: `/cutover gate approve|reject <N> [reason]`" in text
    ic_text = bot.ok("help", bot.person("incident_commander"))
    assert "• `/cutover start`" in ic_text and "• `/cutover gate approve|reject <N> [reason]`" in ic_text
