"""Bad input gets the usage and the nearest valid ids; nothing changes."""

from __future__ import annotations

import pytest

from bot.slack.replies import refusal_words
from cutover.errors import BadArguments


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("stauts", "operations", "there is no `stauts` command. Did you mean `status`?"),
        ("step start 1A.9", "operations", "no step 1A.9; Phase 1A has 1A.1-1A.4"),
        ("step start R2.9", "operations", "no step R2.9; rollback R2 has R2.1-R2.7"),
        ("step start 1Z", "operations", "no step 1Z"),
        ("step finish 1A.1", "operations", "what happened is one of start | done | fail, not 'finish'"),
        ("step start", "operations", "missing the step id"),
        ("gate approve 7", "incident_commander", "no Gate 7; the runbook has Gates 1-5"),
        ("gate approve two", "incident_commander", "'two' is not a gate number"),
        ("gate maybe 2", "incident_commander", "the verdict is one of approve | reject"),
        (
            "rollback R4 bad",
            "incident_commander",
            "no rollback procedure R4; the runbook has R1 (partial, 3.5 min)",
        ),
        ("rollback R2", "incident_commander", "missing the reason"),
        ("abort", "incident_commander", "missing the reason"),
        ("pause", "incident_commander", "missing the reason"),
        ("note idea hmm", "operations", "the kind of note is one of issue | lesson"),
        ("schedule tomorrow", "incident_commander", "missing the time (HH:MM)"),
        ("schedule 2026-13-01 02:00", "incident_commander", "is not a date and time"),
        ("schedule 2026-12-02 02:00 Mars/Base", "incident_commander", "unknown time zone 'Mars/Base'"),
        ("go-nogo maybe", "incident_commander", "the decision is one of go | no-go"),
        ("go-nogo go", "incident_commander", "missing the reason"),
        ("start now", "incident_commander", "`start` takes no arguments"),
        ("plan 1A.9", "operations", "no step 1A.9; Phase 1A has 1A.1-1A.4"),
        ("plan phase 9", "operations", "nothing in the plan is called 'phase 9'"),
        ("audit check", "operations", "the audit action is one of verify"),
    ],
)
def test_bad_input_is_explained_with_usage_and_changes_nothing(bot, text, role, expected):
    bot.to_started()
    seq = bot.state.seq
    err = bot.refused(text, bot.person(role))
    assert isinstance(err, BadArguments)
    assert expected in refusal_words(err)
    reply = bot.run(text, bot.person(role))
    assert "Usage: `/cutover " in reply
    assert bot.state.seq == seq


def test_an_empty_command_shows_help(bot):
    assert "*/cutover* — what you can do" in bot.ok("", bot.person("operations"))


def test_a_wrong_state_explains_itself(bot):
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    assert "has not started" in refusal_words(bot.refused("step start 0.1", bot.person("operations")))
    assert "cannot approve Gate 1: the cutover has not started" in refusal_words(
        bot.refused("gate approve 1", ic)
    )


def test_plan_shows_a_step_with_procedure_command_raci_and_timeout(bot):
    out = bot.ok("plan 2A.1", bot.person("operations"))
    assert "*2A.1 — Update Akamai GTM*" in out
    assert "Timeout: 7m" in out
    assert "R: network_engineer · A: incident_commander" in out
    assert "dig api.nxop.com @8.8.8.8" in out
    assert "*If it fails*" in out


def test_plan_shows_a_rollback_with_rto_and_checklist(bot):
    out = bot.ok("plan R2", bot.person("operations"))
    assert "RTO: 19 min" in out and "`R2.7`" in out
    assert out.count("\n10. ") == 1


def test_plan_shows_gate_5_with_both_approvers(bot):
    out = bot.ok("plan G5", bot.person("operations"))
    assert "Incident Commander + Management" in out and "all must approve" in out


def test_whoami_and_roster(bot):
    out = bot.ok("whoami", bot.person("engineering_lead"))
    assert "Your roles: *Engineering* (`engineering`), *Engineering Lead* (`engineering_lead`)" in out
    assert "not on the cutover roster" in bot.ok("whoami", "U0NOBODY")
    roster = bot.ok("roster", "U0NOBODY")
    assert "*Database Admin*" in roster and ":pager:" in roster
