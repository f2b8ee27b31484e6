"""Every rehearsal scenario runs through the real Bolt app and ends as the seed says it should."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.rehearsal.command import REHEARSAL_START, write_outputs
from bot.rehearsal.play import Rehearsal
from bot.rehearsal.scenarios import SCENARIOS, drill, scenario_named
from storage import eventlog

EXPECTED = {  # scenario -> (outcome, rollback, escalation triggers that must appear, assessment)
    "happy": ("succeeded", None, set(), "GREEN"),
    "phase1a-fails": ("rolled_back", "R1", {"rollback_decision"}, "RED"),
    "phase1b-fails-after-failover": ("rolled_back", "R2", {"rollback_decision"}, "RED"),
    "data-corruption": ("rolled_back", "R3", {"rollback_decision"}, "RED"),
    "phase2b-amqp-fails": ("succeeded", None, {"rollback_decision"}, "YELLOW"),
    "flow-validation-fails": ("rolled_back", "R2", {"rollback_decision"}, "RED"),
    "slow-step": ("succeeded", None, {"step_timeout"}, "GREEN"),  # an escalation is not an issue recorded
}


def play(plan, roster, scenario, out, seed=1):
    rehearsal = Rehearsal(plan, roster, scenario, out_dir=out, start=REHEARSAL_START, seed=seed)
    result = rehearsal.run()
    write_outputs(rehearsal, result, out)
    history = eventlog.history(
        engine=rehearsal.session.services.ledger.db, cutover_id=result.state.cutover_id
    )
    return rehearsal, result, history


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_scenario_ends_as_the_seed_says(plan, roster, tmp_path, name):
    outcome, rollback, triggers, assessment = EXPECTED[name]
    rehearsal, result, history = play(plan, roster, SCENARIOS[name], tmp_path)
    assert result.outcome == outcome, result.lines[-20:]
    assert result.rollback == rollback
    contract_errors = [str(e) for e in rehearsal.session.emulator.contract_errors]
    assert contract_errors == [], "Slack would refuse these calls"
    sent = Counter(r.event.payload()["trigger"] for r in history if r.event.kind == "escalation.sent")
    assert triggers <= set(sent), sent
    report = (tmp_path / "report.md").read_text()
    assert f"| Overall assessment | **{assessment}**" in report
    assert report.startswith("# REHEARSAL — Post-cutover report")
    assert report.rstrip().endswith(f"> **REHEARSAL — simulated infrastructure** (scenario {name}).")
    assert (
        '<div class="rehearsal" id="rehearsal">REHEARSAL — simulated infrastructure'
        in (tmp_path / "report.html").read_text()
    )
    assert (tmp_path / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<img" in (tmp_path / "report.html").read_text()
    lines = [json.loads(line) for line in (tmp_path / "transcript.jsonl").read_text().splitlines()]
    assert {line["type"] for line in lines} == {"api", "reply"}
    drills = [r.event.payload() for r in history if r.event.kind == "rehearsal.recorded"]
    assert drills == [{"scenario": name, "procedure": rollback or "", "outcome": outcome}]


def test_a_first_happy_rehearsal_is_green_without_an_override_and_says_why_drills_are_not_required(
    plan, roster, tmp_path
):
    _, result, history = play(plan, roster, SCENARIOS["happy"], tmp_path)
    kinds = [r.event.kind for r in history]
    assert "gonogo.override_requested" not in kinds and "gonogo.override_approved" not in kinds
    assert result.state.decision == "go"
    [go] = [r for r in history if r.event.kind == "gonogo.decided"]
    checked = [r for r in history if r.event.kind == "checklist.evaluated" and r.seq < go.seq][-1]
    drills = {i["key"]: i for i in checked.event.payload()["items"] if i["key"].startswith("rehearsal:")}
    assert {k: i["result"] for k, i in drills.items()} == {f"rehearsal:R{n}": "n/a" for n in (1, 2, 3)}
    assert {i["reason"] for i in drills.values()} == {"drill_not_required_in_rehearsal"}
    report = (tmp_path / "report.md").read_text()
    assert "| Overall assessment | **GREEN**: succeeded in " in report
    assert "The go/no-go was not overridden." in report
    transcript = (tmp_path / "transcript.jsonl").read_text()
    assert (
        "not required: this cutover is itself a rehearsal (happy) on simulated infrastructure" in transcript
    )
    # the very first check, the one the schedule triggers, already knows: no drill "fail" that later flips
    first = next(r for r in history if r.event.kind == "checklist.evaluated")
    marked = next(r for r in history if r.event.kind == "rehearsal.marked")
    assert marked.seq < first.seq
    items = [i for i in first.event.payload()["items"] if i["key"].startswith("rehearsal:")]
    assert [i["result"] for i in items] == ["n/a"] * 3
    assert "rehearsed within 30 days*: fail" not in transcript


def test_rollback_durations_are_drawn_from_the_seed_so_an_rto_can_be_missed(plan, roster, tmp_path):
    scenario = SCENARIOS["phase1a-fails"]
    _, missed, history = play(plan, roster, scenario, tmp_path / "a", seed=6)
    _, again, _ = play(plan, roster, scenario, tmp_path / "b", seed=6)
    rollback = missed.state.rollback
    took = rollback.ended_at - rollback.ordered_at
    assert took > plan.rollbacks_by_id["R1"].rto  # 3m33s against 3m30s
    report = (tmp_path / "a" / "report.md").read_text()
    assert "| 3m30s (**over**) |" in report
    assert "Rollback R1 took 3m33s against its 3m30s RTO" in report
    transcript = (tmp_path / "a" / "transcript.jsonl").read_text()
    assert transcript == (tmp_path / "b" / "transcript.jsonl").read_text()  # the same seed, the same run
    took_by_step = {}
    for r in history:
        if r.event.kind in ("step.started", "step.done") and r.event.step_id.startswith("R1."):
            took_by_step.setdefault(r.event.step_id, []).append(r.at)
    estimates = {s.id: s.duration for s in plan.rollbacks_by_id["R1"].steps}
    actual = {step: ends[-1] - ends[0] for step, ends in took_by_step.items()}
    assert actual != {step: estimate - timedelta(seconds=5) for step, estimate in estimates.items()}
    assert any(actual[step] > estimates[step] for step in actual)  # a step overran its estimate
    _, met, _ = play(plan, roster, scenario, tmp_path / "c", seed=1)
    assert met.state.rollback.ended_at - met.state.rollback.ordered_at <= plan.rollbacks_by_id["R1"].rto
    assert "(**over**)" not in (tmp_path / "c" / "report.md").read_text()


def test_the_slow_step_pings_the_incident_commander_about_that_step(plan, roster, tmp_path):
    _, result, history = play(plan, roster, SCENARIOS["slow-step"], tmp_path)
    pings = [
        r.event.payload()
        for r in history
        if r.event.kind == "escalation.sent" and r.event.payload()["trigger"] == "step_timeout"
    ]
    assert pings and pings[0]["ref"].startswith("1B.2")
    ic = roster.members_of("incident_commander")[0].slack_id
    assert ic in pings[0]["to"]


def test_phase1a_failure_leaves_documentdb_unchanged_and_r1_restores_arc(plan, roster, tmp_path):
    rehearsal, result, _ = play(plan, roster, SCENARIOS["phase1a-fails"], tmp_path)
    platform = rehearsal.platform
    assert platform.infra.global_cluster.writer_region == "us-east-1"
    assert platform.probes.arc.routing_state().value == {"us-east-1": True, "us-west-2": False}
    assert "R1" in result.summary() and "total downtime" in result.summary()


def test_data_corruption_is_found_by_reading_the_data(plan, roster, tmp_path):
    _, result, history = play(plan, roster, SCENARIOS["data-corruption"], tmp_path)
    failed = [r.event for r in history if r.event.kind == "step.failed"]
    assert failed[0].step_id == "3.2" and "flight_plans lost 25 documents" in failed[0].note


def test_the_drill_is_reproducible_from_its_seed(plan, roster, tmp_path):
    assert drill(7) == drill(7)
    assert scenario_named("drill", 7).fault.step == drill(7).fault.step
    _, result, history = play(plan, roster, drill(7), tmp_path)
    failed = [r.event.step_id for r in history if r.event.kind == "step.failed"]
    assert failed == [drill(7).fault.step]
    assert result.outcome == "rolled_back" and result.rollback in ("R1", "R2", "R3")


def test_rehearse_cli_writes_its_outputs_records_the_drill_and_exits_0(tmp_path, capsys):
    from bot.cli import main

    out, db = tmp_path / "run", tmp_path / "bot.db"
    code = main(
        [
            "rehearse",
            "--scenario",
            "phase1a-fails",
            "--out",
            str(out),
            "--record-to",
            f"sqlite:///{db}",
            "--quiet",
        ]
    )
    printed = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert printed[-1].startswith("phase1a-fails: rolled back — cutover ")
    assert "rollback R1 3m" in printed[-1] and "total downtime" in printed[-1]
    for name in ("report.md", "report.html", "timeline.png", "transcript.jsonl", "rehearsal.db"):
        assert (out / name).stat().st_size > 0
    from storage.db import create_db_engine

    drills = eventlog.history(engine=create_db_engine(f"sqlite:///{db}"), cutover_id="rehearsals")
    assert [r.event.payload()["procedure"] for r in drills] == ["R1"]
    # the drill is stamped with when it really ran, not with the rehearsal's virtual 2026-12 clock
    assert abs(drills[0].at - datetime.now(UTC)) < timedelta(minutes=10)


def test_played_back_rehearsals_skip_idle_time():
    from bot.rehearsal.command import paced

    slept: list[float] = []
    wait = paced(60, sleep=slept.append)
    wait(timedelta(minutes=2))  # a busy step: at sixty times real speed
    wait(timedelta(days=7))  # a week of waiting for the window: skipped down to five minutes
    assert slept == [2.0, 5.0]
