"""A report that tells the truth at a glance: badges name the reasons that applied, a planned window can
meet availability, the duration is judged against the plan's own critical path, and no issue is listed twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.report.render import markdown
from tests.report.conftest import built, report_of
from tests.support import report_logs


def render_markdown(report) -> str:
    return markdown(report).decode("utf-8")


def metric(report, name):
    return next(m for m in report.metrics if m.label == name)


def test_the_badges_name_only_the_reasons_that_applied(r2, r1, success):
    report, _, _ = r2
    md = render_markdown(report)
    (assessment,) = [line for line in md.splitlines() if line.startswith("| Overall assessment")]
    assert (
        "**RED**: rolled back; downtime 1h13m exceeded the SLA; 5 messages/records/objects lost" in assessment
    )
    assert "aborted" not in assessment and "rollback failed" not in assessment
    (impact,) = [line for line in render_markdown(r1[0]).splitlines() if line.startswith("| Business impact")]
    assert impact == "| Business impact | **Moderate**: rollback R1 was needed |"
    (green,) = [
        line for line in render_markdown(success[0]).splitlines() if line.startswith("| Overall assessment")
    ]
    assert "**GREEN**: succeeded in 9m10s, within the target and the SLA" in green


def test_the_duration_is_judged_against_the_critical_path_when_the_overall_target_contradicts_it(success):
    summary = success[0].summary
    assert (summary.target_duration, summary.stated_target) == (timedelta(minutes=51), timedelta(minutes=10))
    assert "runbook's overall target of 10m is shorter than its own steps" in render_markdown(success[0])


def test_a_planned_window_meets_availability_and_unplanned_downtime_does_not(success, r2):
    assert metric(success[0], "availability").met is True
    unplanned = metric(r2[0], "availability")
    assert unplanned.value is None or unplanned.met is False or unplanned.value < 100.0


def test_a_note_restating_a_step_failure_is_not_a_second_issue(plan, roster):
    def restated(bot):
        report_logs.r2_log(bot)
        bot.ok(
            "note issue 2B.2 failed: AMQP listeners cannot reach FlightKeys", bot.person("incident_commander")
        )

    bot = built(plan, roster, restated)
    report, _ = report_of(bot, plan, roster)
    texts = [i.detail.get("note") or i.detail.get("text") for i in report.issues]
    assert texts.count("AMQP listeners cannot reach FlightKeys") == 1
    assert not any("cannot reach FlightKeys" in (i.detail.get("text") or "") for i in report.issues)
    assert [i.number for i in report.issues] == list(range(1, len(report.issues) + 1))


@pytest.mark.parametrize("name", ["availability"])
def test_availability_says_how_it_is_defined(success, name):
    assert metric(success[0], name).detail == "planned_maintenance_excluded"
