"""Data loss or corruption found by validation recommends the emergency rollback (seed 4.1/4.2: R3)."""

from __future__ import annotations

from bot.timeline.record import BOT
from commands.run import record_event
from cutover.integrity import events as ie
from tests.scenarios.console import THROUGH_GATE1, play, steps_script

PHASE3_TO_3_2 = """
@U01BBBB /cutover step start 3.1
+1m
@U01BBBB /cutover step done 3.1
@U02BBBB /cutover step start 3.2
"""


def _at_step_3_2(plan, roster):
    script = (
        THROUGH_GATE1
        + steps_script(plan, roster, "1A", "1B")
        + "@U01AAAA /cutover gate approve 2\n@U01AAAA /cutover gate approve 3\n"
        + steps_script(plan, roster, "2A", "2B")
        + "@U01AAAA /cutover gate approve 4\n"
        + PHASE3_TO_3_2
    )
    return play(plan, roster, script)


def _validation(played, items):
    state = played.state
    event = ie.ValidationCompleted(passed=False, items=items)
    record_event(played.session.services, state.cutover_id, event, actor=BOT)


LOST = {"source": "documentdb", "name": "flight_plans", "result": "fail", "reason": "25 documents lost"}
LAGGING = {"source": "consumer_lag", "name": "fos-consumer", "result": "fail", "reason": "lag 1,500"}


def test_documents_lost_recommend_the_emergency_rollback(plan, roster):
    played = _at_step_3_2(plan, roster)
    assert played.state.step("3.2").status == "in_progress"
    _validation(played, [LOST])
    played = play(
        plan,
        roster,
        "@U02BBBB /cutover step fail 3.2 flight_plans lost 25 documents\n@U01AAAA /cutover status\n",
        session=played.session,
    )
    status = played.reply("status")
    assert "Runbook recommends: *Rollback (R3)*" in status and "documentdb:flight_plans" in status
    played = play(plan, roster, "+2m\n+1s\n", session=played.session)
    [ordered] = played.events("rollback.ordered")
    assert ordered.event.procedure == "R3", "the default never downgrades an emergency rollback"


def test_a_lagging_consumer_alone_is_not_data_loss(plan, roster):
    played = _at_step_3_2(plan, roster)
    _validation(played, [LAGGING])
    played = play(
        plan,
        roster,
        "@U02BBBB /cutover step fail 3.2 consumers lagging\n@U01AAAA /cutover status\n",
        session=played.session,
    )
    assert "(R3)" not in played.reply("status")
