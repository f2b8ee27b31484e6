"""A failed data validation blocks Gate 5 until a later validation passes or the IC overrides it with a reason;
the validation runs by itself when the data consistency step (3.2) starts."""

from __future__ import annotations

from bot.slack.replies import refusal_words
from cutover.errors import InvalidTransition, PermissionDenied
from cutover.state import GateStatus, Status
from tests.integrity.helpers import integrity_bot
from tests.support.words import check

WEST = "us-west-2"


def to_phase3_step(bot, upto: str) -> None:
    """Schedule, baseline, GO, start, and every step before `upto` in Phase 3, gates approved."""
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 08:00", ic)
    bot.ok("baseline capture", bot.person("database_admin"))
    bot.go_with_override()
    bot.start_now()
    plan = bot.plan
    for stage in plan.stages:
        for phase in stage:
            for step in phase.steps:
                if step.id == upto:
                    return
                bot.do_step(step.id, minutes=0.2)
        for gate in plan.gates_after_stage(stage[0].stage):
            bot.ok(f"gate approve {gate.number}", ic)


def finish_phase3(bot) -> None:
    for step_id in ("3.2", "3.3", "3.4"):
        if bot.state.step(step_id).status.value != "done":
            who = bot.person(bot.plan.steps_by_id[step_id].raci.R[0])
            if bot.state.step(step_id).status.value == "pending":
                bot.ok(f"step start {step_id}", who)
            bot.ok(f"step done {step_id}", who)


def test_step_3_2_runs_the_validation_and_a_failure_blocks_gate_5_until_it_passes(plan, roster):
    bot, infra, _, outbox = integrity_bot(plan, roster)
    to_phase3_step(bot, "3.2")
    infra.lose_documents(WEST, "flight_plans", 7)
    infra.set_lag(WEST, "databricks-consumer", 2500)
    bot.ok("step start 3.2", bot.person("database_admin"))
    validation = bot.state.integrity.validation
    assert validation["passed"] is False
    assert "Data validation FAILED" in outbox.texts()[-1]
    finish_phase3(bot)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    refusal = bot.refused("gate approve 5", ic)
    assert isinstance(refusal, InvalidTransition)
    assert "flight_plans (7 documents lost (100 -> 93))" in refusal_words(refusal)
    assert "databricks-consumer (lag 2,500 >= 1,000 messages)" in refusal_words(refusal)
    assert "/cutover validate override <reason>" in refusal_words(refusal)
    infra.documentdb[WEST]["flight_plans"]["count"] = 100  # restored from the East snapshot
    infra.set_lag(WEST, "databricks-consumer", 40)
    bot.ok("validate", bot.person("operations"))
    assert bot.state.integrity.validation["passed"] is True
    bot.ok("gate approve 5", ic)
    bot.ok("gate approve 5", mgmt)
    assert bot.state.status == Status.SUCCEEDED


def test_the_ic_overrides_a_failed_validation_with_a_recorded_reason(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    to_phase3_step(bot, "3.2")
    infra.delete_object(WEST, "nxop-pilot-documents/", "doc-2.pdf")
    bot.ok("step start 3.2", bot.person("database_admin"))
    finish_phase3(bot)
    ic = bot.person("incident_commander")
    assert isinstance(
        bot.refused("validate override the file is re-uploaded", bot.person("operations")), PermissionDenied
    )
    assert "1 object(s) missing since the baseline: doc-2.pdf" in bot.ok("validate show", ic)
    bot.ok("validate override doc-2 re-uploaded from the East bucket by hand", ic)
    assert bot.state.integrity.validation_override.note == "doc-2 re-uploaded from the East bucket by hand"
    assert "already overridden" in refusal_words(bot.refused("validate override again", ic))
    bot.ok("gate approve 5", ic)
    assert bot.state.gate(5).approvals[0].role == "incident_commander"


def test_a_later_failing_validation_blocks_gate_5_again(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    to_phase3_step(bot, "3.2")
    bot.ok("step start 3.2", bot.person("database_admin"))
    assert bot.state.integrity.validation["passed"] is True
    finish_phase3(bot)
    infra.set_lag(WEST, "fos-consumer", 1000)  # the limit is exclusive: 1,000 fails
    bot.ok("validate", bot.person("database_admin"))
    assert bot.state.gate(5).status == GateStatus.OPEN
    assert "fos-consumer (lag 1,000 >= 1,000 messages)" in refusal_words(
        bot.refused("gate approve 5", bot.person("incident_commander"))
    )


def test_validation_without_a_baseline_or_probes_is_not_a_pass(plan, roster):
    bot, infra, _, _ = integrity_bot(plan, roster)
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 08:00", ic)
    bot.ok("validate", ic)
    items = bot.state.integrity.validation["items"]
    assert bot.state.integrity.validation["passed"] is False
    assert check(items[0]) == "no baseline captured (`/cutover baseline capture`)"
    infra.unreachable.add("msk")
    bot.ok("baseline capture", ic)
    assert "msk" in bot.state.integrity.baseline["unknown"]
    assert ":grey_question: msk not measured: msk unreachable (injected)" in bot.ok("baseline", ic)
    unwired, *_ = integrity_bot(plan, roster, probes=None)
    unwired.services.probes = None
    unwired.ok("schedule 2026-12-02 08:00", ic)
    assert "none are configured" in unwired.ok("validate", ic)
