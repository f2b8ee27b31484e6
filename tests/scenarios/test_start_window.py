"""The start is tied to its window: more than 15 minutes early, or in a peak window, needs the override."""

from __future__ import annotations

from tests.scenarios.console import play

GO_AT_T_MINUS_2H = """
@U01AAAA /cutover schedule 2026-12-01 03:00
@U01AAAA /cutover go-nogo override checked on the bridge
@U03AAAA /cutover go-nogo approve-override agreed
@U01AAAA /cutover go-nogo go all green
"""


def test_a_start_two_hours_early_is_refused_until_management_approves_it(plan, roster):
    played = play(plan, roster, GO_AT_T_MINUS_2H + "@U01AAAA /cutover start\n")
    refusal = played.reply("/cutover start")
    assert "cannot start now: Start within the window (starting now is 2h00m before the window " in refusal
    assert "(2026-12-01 03:00 UTC); more than 15m early needs an approved override)" in refusal
    assert played.state.status == "go" and played.events("cutover.started") == []
    played = play(
        plan,
        roster,
        "@U01AAAA /cutover go-nogo override bridge staffed early, business agreed\n"
        "@U01AAAA /cutover start\n"
        "@U03AAAA /cutover go-nogo approve-override ok to start early\n"
        "@U01AAAA /cutover start\n",
        session=played.session,
    )
    asked = played.reply("go-nogo override bridge staffed")
    assert "Start within the window" in asked
    assert "awaits Management" in played.replies("/cutover start")[-2]
    [override] = [r for r in played.events("gonogo.override_requested") if "start_early" in r.event.items]
    assert played.state.status == "executing" and played.events("cutover.started")[0].actor == "U01AAAA"


def test_within_fifteen_minutes_of_the_window_the_start_needs_nothing_more(plan, roster):
    played = play(plan, roster, GO_AT_T_MINUS_2H + "+105m\n" + "@U01AAAA /cutover start\n")
    assert played.state.status == "executing"


def test_a_start_in_the_morning_peak_is_refused_at_the_actual_time(plan, roster):
    # the window (03:00 UTC, 21:00 the evening before in Chicago) is clear; the start slips to 13:05 UTC,
    # 07:05 in Chicago: inside the 06:00-09:00 morning peak
    played = play(plan, roster, GO_AT_T_MINUS_2H + "+725m\n@U01AAAA /cutover start\n")
    refusal = played.reply("/cutover start")
    assert (
        "Start outside peak flight operations (starting now overlaps Morning peak flight operations 06:00-09:00 CST)"
        in refusal
    )
    played = play(
        plan,
        roster,
        "@U01AAAA /cutover go-nogo override the window slipped; business accepts a morning start\n"
        "@U03AAAA /cutover go-nogo approve-override accepted\n"
        "@U01AAAA /cutover start\n",
        session=played.session,
    )
    assert played.state.status == "executing"
    [override] = played.events("gonogo.override_requested")[-1:]
    assert "start_in_peak" in override.event.items
