"""Another team's runbook, not NXOP's: two phases, four roles, no business rules, no probes.

The cutover runs from `schedule` through an approved override, GO, every step and gate, to success,
with only that runbook's roles, over Bolt's real request path; the bot names the roles by that
runbook's titles and never by NXOP's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cutover.plan.model import load_runbook
from cutover.roster import load_roster
from cutover.state import Status
from tests.support.slack_bot import CutoverSlackBot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEAD, DBA, SRE, DIRECTOR = "U20LEAD", "U20DBA1", "U20SRE1", "U20DIR1"
NXOP_WORDS = (
    "Incident Commander",
    "Management",
    "Operations",
    "business rules",
    "Readiness",
    "critical alarm",
)


@pytest.fixture
def other_bot() -> CutoverSlackBot:
    plan = load_runbook(FIXTURES / "other-team-runbook.yaml")
    roster = load_roster(FIXTURES / "other-team-roster.yaml", plan)
    return CutoverSlackBot(plan, roster, START)


def said(bot: CutoverSlackBot, text: str, as_user: str) -> str:
    """A command's answer, which must not be a refusal."""
    answer = bot.run(text, as_user=as_user)["text"]
    assert not answer.startswith((":no_entry:", ":lock:")) and "Usage:" not in answer, (
        f"/cutover {text}: {answer}"
    )
    return answer


def test_a_cutover_of_another_runbook_runs_to_success_with_only_its_roles(other_bot):
    bot, answers = other_bot, []
    answers.append(said(bot, "schedule 2026-12-02 03:00", LEAD))

    checklist = said(bot, "go-nogo", LEAD)
    answers.append(checklist)
    assert "Rollback RB1 rehearsed within 14 days" in checklist
    assert "Database team on the bridge" in checklist
    assert "2 item(s) not passing" in checklist  # only the items this runbook configures

    refusal = bot.run("go-nogo go ready", as_user=LEAD)["text"]
    answers.append(refusal)
    assert refusal.startswith(":no_entry:")
    assert (
        "the Change Lead asks `/cutover go-nogo override &lt;reason&gt;`"
    )  # escaped as Slack wants in refusal
    assert "Engineering Director approves with `/cutover go-nogo approve-override`" in refusal

    answers.append(said(bot, "go-nogo confirm dba_ready on the bridge", DBA))
    asked = said(bot, "go-nogo override RB1 rehearsed last quarter", LEAD)
    answers.append(asked)
    assert "Engineering Director approves with" in asked
    assert bot.run("go-nogo approve-override", as_user=SRE)["text"].startswith(":lock:")
    approved = said(bot, "go-nogo approve-override agreed", DIRECTOR)
    answers.append(approved)
    assert "The Change Lead may now record" in approved
    decided = said(bot, "go-nogo go override approved", LEAD)
    answers.append(decided)
    assert "The Change Lead starts the cutover" in decided
    answers.append(said(bot, "start", LEAD))

    for step, who in (("P.1", DBA), ("P.2", SRE)):
        answers.append(said(bot, f"step start {step}", who))
        bot.advance(minutes=2)
        answers.append(said(bot, f"step done {step}", who))
    answers += bot.click("gate_approve", "1", as_user=LEAD, reason="snapshot and drain checked")
    for step, who in (("M.1", DBA), ("M.2", SRE)):
        answers.append(said(bot, f"step start {step}", who))
        bot.advance(minutes=2)
        answers.append(said(bot, f"step done {step}", who))
    answers.append(said(bot, "gate approve 2 ledger healthy", SRE))
    answers.append(said(bot, "gate approve 2 signed off", DIRECTOR))

    assert bot.state.status == Status.SUCCEEDED
    shown = "\n".join(answers) + json.dumps(bot.posted(), ensure_ascii=False)
    assert "Change Lead" in shown
    assert [w for w in NXOP_WORDS if w in shown] == []


def test_a_runbook_without_a_management_role_names_its_own_override_approver_when_refusing(other_bot):
    bot = other_bot
    said(bot, "schedule 2026-12-02 03:00", LEAD)
    said(bot, "go-nogo override RB1 rehearsed last quarter", LEAD)
    refusal = bot.run("go-nogo go ready", as_user=LEAD)["text"]
    assert "the override awaits Engineering Director's `/cutover go-nogo approve-override`" in refusal
    denied = bot.run("go-nogo approve-override", as_user=LEAD)["text"]
    assert denied.startswith(":lock:") and "*Engineering Director*" in denied and "Lena Vogt" in denied
