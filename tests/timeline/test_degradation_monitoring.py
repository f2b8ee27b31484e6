"""Degradation levels with the runbook's banners, and extended monitoring after success."""

from __future__ import annotations

from datetime import timedelta

from cutover.integrity import events as ie
from cutover.probes import Metrics, Probes
from storage.eventlog import Pending
from tests.timeline.harness import events, run_to_success
from tests.timeline.test_schedule import schedule_and_start


class MetricsProbe:
    def __init__(self, **values):
        self.values, self.fail = values, False

    def metrics(self, region: str) -> Metrics:
        if self.fail:
            raise TimeoutError("CloudWatch did not answer within 5s")
        return Metrics(source=f"fake:{region}", **self.values)


def test_levels_follow_start_rollback_failed_rollback_and_restoration(timed):
    schedule_and_start(timed)
    ic, ops = timed.person("incident_commander"), timed.person("operations")
    timed.through_phase0()
    timed.ok("step start 1A.1", ops)
    timed.ok("step fail 1A.1 routing control stuck", ops)
    timed.ok("rollback R1 routing control stuck", ic)
    timed.advance(seconds=1)
    first = timed.plan.rollbacks_by_id["R1"].steps[0]
    who = timed.person(first.raci.R[0])
    timed.ok(f"step start {first.id}", who)
    timed.ok(f"step fail {first.id} the cordon cannot be removed", who)
    timed.advance(seconds=1)
    assert [r.event.level for r in events(timed, "degradation.changed")] == [1, 2, 3]
    banners = [r.event.banner for r in events(timed, "degradation.changed")]
    assert banners == [
        "Maintenance in progress, some features limited",
        "Extended maintenance, please wait",
        "System unavailable, use manual procedures",
    ]
    level3 = timed.posts("Service level 2 → 3")[0]
    assert "Manual workaround procedures are now in force" in level3["text"]
    assert "Dispatcher calls pilot via phone" in level3["text"] and level3["reply_broadcast"]
    timed.ok(f"step start {first.id}", who)
    timed.ok(f"step done {first.id}", who)
    for step in timed.plan.rollbacks_by_id["R1"].steps:
        if timed.state.step(step.id).status != "done":
            timed.do_step(step.id, minutes=0.5)
    timed.confirm_rollback_checklist()
    assert timed.state.status == "rolled_back"
    timed.advance(seconds=1)
    assert [r.event.level for r in events(timed, "degradation.changed")] == [1, 2, 3, 2, 0]


def test_checkpoints_compare_with_thresholds_and_baseline_and_escalate_a_breach(timed):
    probe = MetricsProbe(error_rate_pct=0.2, latency_p95_ms=320.0, throughput=950.0, replication_lag_s=3.0)
    timed.services.probes = Probes(metrics=probe)
    schedule_and_start(timed)
    state = timed.state
    baseline = ie.BaselineCaptured(
        msk={},
        consumer_lag={},
        documentdb={},
        s3={},
        unknown={},
        metrics={"error_rate_pct": 0.1, "latency_p95_ms": 300, "throughput": 1000, "replication_lag_s": 2},
    )
    timed.services.ledger.record(
        state.cutover_id, [Pending("U02BBBB", timed.clock.now(), baseline)], state.seq
    )
    run_to_success(timed, step_minutes=0.5)
    ended = timed.state.ended_at
    timed.advance(seconds=1)
    [first] = events(timed, "monitoring.checkpoint")
    assert first.event.breaches == [] and first.event.metrics["throughput"] == 950.0
    assert "within limits" in timed.posts("Monitoring T+")[0]["text"]
    assert "-5.0% vs baseline 1000" in timed.posts("Monitoring T+")[0]["text"]
    probe.values["latency_p95_ms"] = 640.0
    timed.until(ended + timedelta(minutes=15))
    second = events(timed, "monitoring.checkpoint")[-1]
    assert second.event.breaches == ["latency_p95_ms 640 (limit <= 500)"]
    [ping] = [r for r in events(timed, "escalation.sent") if r.event.trigger == "monitoring_breach"]
    assert ping.event.to == [m.slack_id for m in timed.roster.on_call_for("engineering_lead")]
    probe.values["latency_p95_ms"] = 300.0
    timed.until(ended + timedelta(hours=1))
    pings = [r for r in events(timed, "escalation.sent") if r.event.trigger == "monitoring_breach"]
    assert [r.event.attempt for r in pings] == [1, 2, 3], "repeated on the backoff (2m, 5m) ..."
    assert pings[-1].at < ended + timedelta(minutes=30), "... until the next checkpoint within limits"
    # 4-24 h: hourly, stricter thresholds; throughput 5% under the baseline now breaches (limit 5%, -5% ok)
    probe.values["throughput"] = 940.0
    timed.until(ended + timedelta(hours=4))
    assert events(timed, "monitoring.checkpoint")[-1].event.window == "active"
    assert events(timed, "monitoring.checkpoint")[-1].event.breaches == [
        "throughput 940 (limit >= baseline - 5%; -6.0% vs baseline 1000)"
    ]


def test_an_unreachable_probe_or_missing_baseline_is_unknown_and_never_blocks(timed):
    probe = MetricsProbe(error_rate_pct=0.2, latency_p95_ms=320.0, throughput=950.0, replication_lag_s=3.0)
    probe.fail = True
    timed.services.probes = Probes(metrics=probe)
    schedule_and_start(timed)
    run_to_success(timed, step_minutes=0.5)
    timed.advance(minutes=16)
    checkpoints = events(timed, "monitoring.checkpoint")
    assert len(checkpoints) == 2 and all(c.event.breaches == [] for c in checkpoints)
    assert checkpoints[0].event.metrics["error_rate_pct"] is None
    text = timed.posts("Monitoring T+")[0]["text"]
    assert "unknown" in text and "CloudWatch did not answer" in text
    probe.fail = False
    timed.advance(minutes=15)
    text = timed.posts("Monitoring T+")[-1]["text"]
    assert "throughput 950 (&gt;= baseline - 10%; no pre-cutover baseline)" in text
