"""Every duration, count and verdict of the report, against logs whose times and outcomes are known."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.report.render import html, markdown
from storage.eventlog import AuditResult
from tests.report.conftest import built, report_of
from tests.support import report_logs
from tests.support.report_logs import START, at

S = timedelta(seconds=1)


def by_id(rows, key="id"):
    return {getattr(row, key): row for row in rows}


# --- a success --------------------------------------------------------------------------------------


def test_success_summary_figures(success):
    report, history, _ = success
    s = report.summary
    assert s.started_at == START
    assert s.ended_at == START + 550 * S
    assert s.duration == s.downtime == 550 * S
    # the runbook's 10m overall target is shorter than its own critical path (51m): judged against the path
    assert s.target_duration == timedelta(minutes=51) and s.stated_target == timedelta(minutes=10)
    assert (s.recovery_time, s.recovery_kind) == (420 * S, "health_checks")
    assert s.sla == timedelta(minutes=60) and s.sla_met is True and not s.downtime_ongoing
    assert s.paused == timedelta()
    assert s.outcome == "success"
    assert s.business_impact.level == "minimal"
    assert s.assessment.level == "green"
    assert s.assessment.reasons == [("within_target", 550 * S)]


def test_success_phases_and_gates_against_targets(success):
    report = success[0]
    phases = by_id(report.phases)
    expected = {
        "0": (0, 90, None),
        "1A": (90, 200, 7),
        "1B": (90, 270, 7),
        "2A": (270, 380, 10),
        "2B": (270, 390, 10),
        "3": (390, 530, 19),
    }
    for pid, (start, end, target) in expected.items():
        row = phases[pid]
        assert (row.start, row.end, row.duration) == (
            START + start * S,
            START + end * S,
            (end - start) * S,
        ), pid
        assert row.target == (timedelta(minutes=target) if target else None)
        assert row.status == "done" and row.over_by is None
    gates = by_id(report.gates, "number")
    clocks = {1: 90, 2: 110, 3: 180, 4: 120, 5: 160}
    assert {n: g.clock for n, g in gates.items()} == {n: c * S for n, c in clocks.items()}
    assert gates[5].waited == 20 * S and gates[5].timeout == timedelta(minutes=19)
    assert [report.name(a) for a in gates[5].approvers] == ["Dana Reyes", "Rachel Grant"]
    assert all(g.over_by is None for g in gates.values())


def test_success_metrics_and_performance(success):
    report = success[0]
    metrics = {m.label: m for m in report.metrics}
    assert metrics["data_loss"].value == 0 and metrics["data_loss"].met is True
    availability = metrics["availability"]
    # 550 s of planned maintenance (within the 51m target) is not an outage: a planned window meets 99.9 %
    assert availability.value == pytest.approx(100.0)
    assert availability.met is True
    assert metrics["latency_impact"].value == pytest.approx(5.0)
    assert metrics["error_rate_worst"].value == pytest.approx(0.15)
    assert metrics["client_reconnection"].value is None and metrics["client_reconnection"].met is None
    assert metrics["replication_lag_worst"].value == 2.0
    perf = {p.metric: p for p in report.performance}
    assert (perf["latency"].pre, perf["latency"].post, perf["latency"].result) == (400, 420, "pass")
    assert perf["latency"].delta == pytest.approx(5.0) and perf["latency"].limit == 10
    assert perf["throughput"].delta == 0 and perf["throughput"].result == "pass"
    assert perf["error_rate"].delta == pytest.approx(0.05) and perf["error_rate"].delta_unit == "pp"
    assert [perf[m].result for m in ("cpu", "memory", "network")] == ["not_measured"] * 3
    assert report.checkpoints == 16


def test_success_sections_4_to_10(success):
    report, history, _ = success
    assert report.issues == [] and report.rollbacks == []
    assert report.validation.passed is True
    assert {v.source: v.result for v in report.validation.sources} == {
        "msk": "pass",
        "documentdb": "pass",
        "s3": "pass",
        "consumer_lag": "pass",
        "flows": "not_measured",
    }
    assert [n.text for n in report.lessons] == ["Pre-generated briefings kept pilots served"]
    assert report.denials == 1
    assert [(a.category, a.key) for a in report.advice] == [("training", "denials")]
    assert report.actions == []
    assert len(report.timeline) == len(history) and report.timeline[-1].kind == "note.added"
    assert report.audit.ok and report.audit.rows == len(history)
    assert report.overrides == [] and report.escalations == []


# --- an R1 ------------------------------------------------------------------------------------------


def test_r1_summary_and_rollback(r1):
    report = r1[0]
    s = report.summary
    assert s.duration == s.downtime == 420 * S
    assert (s.recovery_time, s.recovery_kind) == (420 * S, "rollback")
    assert s.sla_met is True and s.outcome == "rollback"
    assert s.business_impact.level == "moderate"
    assert s.business_impact.reasons == [("rollback_needed", "R1")]
    assert s.assessment.level == "red" and s.assessment.reasons == [("rolled_back", None)]
    [rollback] = report.rollbacks
    assert (rollback.procedure, rollback.name, rollback.success) == ("R1", "Partial", "yes")
    assert rollback.ordered_at == START + 210 * S and rollback.duration == 210 * S == rollback.rto
    assert rollback.reason == "MSK cordon failed, DocumentDB untouched"
    assert report.advice == []  # R1 ran within its RTO, every step within its duration


def test_r1_issue_phases_and_escalation(r1):
    report = r1[0]
    [issue] = report.issues
    assert (issue.source, issue.phase, issue.impact) == ("step_failure", "1A", "High")
    assert issue.detail == {"step": "1A.3", "title": "Security group cordon", "note": "cordon rules rejected"}
    assert (issue.resolution, issue.resolution_ref, issue.time_to_resolve) == ("rollback", "R1", 30 * S)
    phases = by_id(report.phases)
    assert (phases["1A"].status, phases["1B"].status, phases["2A"].status) == (
        "failed",
        "interrupted",
        "not_started",
    )
    assert phases["1A"].end is None and phases["1A"].duration is None
    [escalation] = report.escalations
    assert escalation.trigger == "rollback_decision" and escalation.ack_after == 10 * S
    metrics = {m.label: m.value for m in report.metrics}
    assert metrics["data_loss"] is None  # no validation in this log: not measured, never 0
    assert report.validation.passed is None


# --- an R2 ------------------------------------------------------------------------------------------


def test_r2_summary_counts_the_pause_in_the_downtime(r2):
    report = r2[0]
    s = report.summary
    assert s.duration == s.downtime == 4380 * S  # 73 min, of which 45 paused
    assert s.paused == timedelta(minutes=45)
    assert s.sla_met is False and s.outcome == "rollback"
    assert s.business_impact.level == "significant"
    assert s.business_impact.reasons == [("sla_exceeded", 4380 * S), ("data_lost", 5)]
    assert s.assessment.level == "red"
    assert s.assessment.reasons == [("rolled_back", None), ("sla_exceeded", 4380 * S), ("data_lost", 5)]


def test_r2_rollback_overruns_and_step_times_exclude_nothing_unpaused(r2):
    report = r2[0]
    [rollback] = report.rollbacks
    assert rollback.duration == 3960 * S and rollback.rto == timedelta(minutes=19)
    steps = by_id(report.steps)
    assert steps["R2.6"].duration == 420 * S and steps["R2.6"].over_by == 120 * S
    assert steps["R2.1"].duration == 300 * S and steps["R2.1"].over_by is None
    assert [(a.category, a.key) for a in report.advice] == [
        ("documentation", "step_overrun"),
        ("documentation", "rollback_overrun"),
        ("technical", "gonogo_override"),
        ("technical", "validation_overridden"),  # R2's data item waited for it (needs_validation)
        ("process", "silent_escalations"),
        ("process", "sla_breached"),
    ]
    assert report.advice[0].data["step"].id == "R2.6"


def test_r2_issues_validation_overrides_and_actions(r2):
    report = r2[0]
    assert [(i.source, i.phase, i.impact, i.resolution) for i in report.issues] == [
        ("step_failure", "2B", "High", "rollback"),
        ("data_validation", "R2", "High", "overridden"),
        ("note", "after_cutover", "not_stated", "not_recorded"),
    ]
    assert report.issues[0].time_to_resolve == 60 * S
    assert report.validation.loss == {"msk": 5}
    assert {v.source: (v.result, v.lost) for v in report.validation.sources}["msk"] == ("fail", 5)
    [override] = report.overrides
    assert override.items == ["rehearsal"] and report.name(override.approved_by) == "Rachel Grant"
    assert [i["key"] for i in report.checklist_failures] == ["rehearsal"]
    [escalation] = report.escalations
    assert escalation.acknowledged_at is None
    assert [a.key for a in report.actions] == ["validation_check", "override_item"]  # the loss was overridden
    phases = by_id(report.phases)
    assert (phases["2A"].status, phases["2B"].status) == ("interrupted", "failed")


# --- other shapes -----------------------------------------------------------------------------------


def test_a_cutover_still_under_way_is_pending_and_runs_to_the_last_event(plan, roster):
    def underway(bot):
        report_logs.prepare(bot, baseline=False)
        report_logs.run(bot, report_logs.PHASE0[:3])
        at(bot, 600)
        bot.ok("note issue dashboard slow", bot.person("operations"))

    report, _ = report_of(built(plan, roster, underway), plan, roster)
    s = report.summary
    assert s.outcome == "in_progress" and s.downtime_ongoing and s.downtime == 600 * S
    assert s.assessment.level == "pending" and s.recovery_kind == "not_reached"
    assert {p.metric: p.result for p in report.performance}["latency"] == "not_measured"
    assert report.issues[0].phase == "0" and report.issues[0].impact == "not_stated"


def test_an_abort_before_the_start_has_no_downtime(plan, roster):
    def aborted(bot):
        report_logs.prepare(bot, baseline=False)
        bot.ok("abort weather", bot.person("incident_commander"))

    report, _ = report_of(built(plan, roster, aborted), plan, roster)
    s = report.summary
    assert s.outcome == "aborted" and s.downtime is None and s.sla_met is None
    assert s.business_impact.level == "none" and s.assessment.level == "red"
    assert s.affected_flows == []


def test_a_broken_hash_chain_is_reported(plan, roster):
    bot = built(plan, roster, report_logs.r1_log)
    broken = AuditResult(bot.state.cutover_id, False, 30, 7, "row_modified", {"seq": 7, "kind": "step.done"})
    report, _ = report_of(bot, plan, roster, audit=broken)
    assert report.audit.ok is False and report.audit.first_bad_seq == 7
    said = "row 7 (step.done) was modified after it was written."
    assert f"**Hash chain broken** at row 7: {said}" in markdown(report).decode("utf-8")
    assert f"Hash chain broken at row 7: {said}</p>" in html(report, b"").decode("utf-8")
