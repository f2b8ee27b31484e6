"""Every go/no-go checklist item passing, failing and unknown (pure evaluation from facts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.slack.replies import refusal_words
from cutover.errors import InvalidTransition
from cutover.integrity.checklist import (
    LogFacts,
    ProbeReadings,
    check_go,
    checklist,
    confirmable,
    log_items,
    probe_items,
)
from cutover.integrity.state import Confirmation, IntegrityState, Override
from cutover.probes import Reading
from templates.render import render

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
WINDOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 02:00 CST on a Wednesday
ALARMS = {"a": "OK", "b": "OK", "c": "OK", "d": "OK"}


def readiness(states: dict[str, str]) -> Reading:
    not_ok = [f"{n} ({s})" for n, s in states.items() if s != "OK"]
    return Reading(
        ok=None if not states else True,
        value=(len(states) - len(not_ok)) / len(states),
        details={"not_ok": not_ok},
    )


def all_confirmed(plan, roster) -> list[Confirmation]:
    out = [
        Confirmation("standby", next(m.slack_id for m in roster.members_of(r) if m.on_call), NOW)
        for r in plan.business.required_roles
    ]
    out.append(Confirmation("incident_response", "U01AAAA", NOW))
    out += [Confirmation(d.key, "U01BBBB", NOW) for d in plan.business.external_dependencies]
    return out


def good_facts(plan, roster, **changes) -> LogFacts:
    facts = dict(
        now=NOW,
        window_start=WINDOW,
        confirmations=all_confirmed(plan, roster),
        comms_sent=frozenset({"T-7d", "T-24h"}),
        comms_acknowledged=frozenset({"T-7d", "T-24h"}),
        rehearsals=[
            {"procedure": r.id, "outcome": "rolled_back", "at": NOW - timedelta(days=3)}
            for r in plan.rollbacks
        ],
    )
    facts.update(changes)
    return LogFacts(**facts)


def good_readings(**changes) -> ProbeReadings:
    readings = dict(readiness=readiness(ALARMS), critical_alarms=Reading(ok=True, value=[]))
    readings.update(changes)
    return ProbeReadings(**readings)


def items_of(plan, roster, facts=None, readings=None) -> dict[str, tuple[str, str]]:
    every = checklist(
        plan,
        probe_items(plan, readings or good_readings()),
        log_items(plan, roster, facts or good_facts(plan, roster)),
    )
    return {i.key: (i.result, said(i)) for i in every}


def said(item) -> str:
    """An item's reason as the bot words it."""
    return render("gonogo/_item.j2", item=item).split(" — ", 1)[1]


def test_every_item_passes_when_every_fact_is_good(plan, roster):
    items = items_of(plan, roster)
    assert {k: r for k, (r, _) in items.items() if r != "pass"} == {}
    assert set(items) >= {
        "readiness",
        "critical_alarms",
        "peak_window",
        "holiday",
        "blackout",
        "comms_ack",
        "rehearsal:R1",
        "rehearsal:R2",
        "rehearsal:R3",
        "incident_response",
        "flightkeys",
        "aircom",
        "opshub",
        "standby:operations",
        "standby:management",
    }


@pytest.mark.parametrize(
    ("case", "key", "result", "words"),
    [
        ("one readiness alarm in ALARM", "readiness", "fail", "nxop-usw2-readiness-docdb (ALARM)"),
        ("readiness unreachable", "readiness", "unknown", "unreachable"),
        ("no readiness probe", "readiness", "unknown", "no readiness probe"),
        ("critical alarm", "critical_alarms", "fail", "nxop-usw2-api-5xx"),
        ("alarms unreachable", "critical_alarms", "unknown", "unreachable"),
        (
            "window in the morning peak",
            "peak_window",
            "fail",
            "Morning peak flight operations 06:00-09:00 CST",
        ),
        ("no window", "peak_window", "unknown", "no window scheduled"),
        ("on Christmas", "holiday", "fail", "2026-12-25 is Christmas Day"),
        ("on a blackout date", "blackout", "fail", "blackout date 2026-12-02"),
        ("standby not confirmed", "standby:operations", "unknown", "waiting for Marcus Hill"),
        ("role without on-call member", "standby:management", "fail", "no on-call member"),
        ("comms not sent", "comms_ack", "unknown", "not sent yet: T-7d, T-24h"),
        ("comms not acknowledged", "comms_ack", "fail", "not acknowledged: T-24h"),
        ("rehearsal too old", "rehearsal:R2", "fail", "31 days ago"),
        ("rehearsal failed only", "rehearsal:R3", "fail", "R3 was never rehearsed"),
        ("incident response not confirmed", "incident_response", "unknown", "confirm incident_response"),
        ("flightkeys not confirmed", "flightkeys", "unknown", "/cutover go-nogo confirm flightkeys"),
        ("dependency endpoint down", "flightkeys", "unknown", "health endpoint unreachable: URLError"),
        ("dependency endpoint 503", "flightkeys", "fail", "503"),
    ],
)
def test_each_fault_shows_on_its_own_item(plan, roster, case, key, result, words):
    facts, readings, the_plan, the_roster = good_facts(plan, roster), good_readings(), plan, roster
    business = plan.business
    match case:
        case "one readiness alarm in ALARM":
            readings = good_readings(readiness=readiness({**ALARMS, "nxop-usw2-readiness-docdb": "ALARM"}))
        case "readiness unreachable" | "alarms unreachable":
            down = Reading(ok=None, source="cloudwatch:us-west-2", error="ConnectTimeoutError")
            readings = good_readings(**{"readiness" if key == "readiness" else "critical_alarms": down})
        case "no readiness probe":
            readings = good_readings(readiness=None)
        case "critical alarm":
            readings = good_readings(critical_alarms=Reading(ok=False, value=["nxop-usw2-api-5xx"]))
        case "window in the morning peak":
            facts = good_facts(plan, roster, window_start=datetime(2026, 12, 2, 12, 5, tzinfo=UTC))
        case "no window":
            facts = good_facts(plan, roster, window_start=None)
        case "on Christmas":
            facts = good_facts(plan, roster, window_start=datetime(2026, 12, 25, 8, 0, tzinfo=UTC))
        case "on a blackout date":
            the_plan = plan.model_copy(
                update={"business": business.model_copy(update={"blackout_dates": [WINDOW.date()]})}
            )
        case "standby not confirmed":
            facts = good_facts(
                plan,
                roster,
                confirmations=[
                    c for c in all_confirmed(plan, roster) if c.actor != "U01BBBB" or c.item != "standby"
                ],
            )
        case "role without on-call member":
            from cutover.roster import Member, Roster

            roles = dict(roster.roles)
            roles["management"] = [
                Member(slack_id="U03AAAA", name="Rachel Grant", email="r@example.com", on_call=False)
            ]
            the_roster = Roster(roles)
        case "comms not sent":
            facts = good_facts(plan, roster, comms_sent=frozenset(), comms_acknowledged=frozenset())
        case "comms not acknowledged":
            facts = good_facts(plan, roster, comms_acknowledged=frozenset({"T-7d"}))
        case "rehearsal too old":
            rehearsals = [
                {
                    "procedure": r.id,
                    "outcome": "rolled_back",
                    "at": NOW - timedelta(days=31 if r.id == "R2" else 3),
                }
                for r in plan.rollbacks
            ]
            facts = good_facts(plan, roster, rehearsals=rehearsals)
        case "rehearsal failed only":
            rehearsals = [
                {
                    "procedure": r.id,
                    "outcome": "rollback_failed" if r.id == "R3" else "rolled_back",
                    "at": NOW - timedelta(days=1),
                }
                for r in plan.rollbacks
            ]
            facts = good_facts(plan, roster, rehearsals=rehearsals)
        case "incident response not confirmed" | "flightkeys not confirmed":
            facts = good_facts(
                plan, roster, confirmations=[c for c in all_confirmed(plan, roster) if c.item != key]
            )
        case "dependency endpoint down" | "dependency endpoint 503":
            deps = [
                d.model_copy(update={"health_url": "http://127.0.0.1:9/health"})
                if d.key == "flightkeys"
                else d
                for d in business.external_dependencies
            ]
            the_plan = plan.model_copy(
                update={"business": business.model_copy(update={"external_dependencies": deps})}
            )
            reading = (
                Reading(ok=None, error="URLError: connection refused")
                if case.endswith("down")
                else Reading(ok=False, value=503, error="Service Unavailable")
            )
            readings = good_readings(dependencies={"flightkeys": reading})
    items = items_of(the_plan, the_roster, facts, readings)
    got_result, reason = items[key]
    assert (got_result, words in reason) == (result, True), reason
    moved = {"no window": ["peak_window", "holiday", "blackout"]}.get(case, [key])
    assert [k for k, (r, _) in items.items() if r != "pass"] == moved  # only the faulty item(s) moved


def test_go_needs_every_item_passing_or_an_approved_override_covering_them(plan, roster):
    items = checklist(
        plan,
        probe_items(plan, good_readings(critical_alarms=Reading(ok=None, error="timeout"))),
        log_items(plan, roster, good_facts(plan, roster)),
    )
    integrity = IntegrityState()
    with pytest.raises(InvalidTransition) as refused:
        check_go(items, integrity, plan)
    assert "No critical alarm in ALARM (unknown" in refusal_words(refused.value)
    assert "the Incident Commander asks `/cutover go-nogo override <reason>`" in refusal_words(refused.value)
    assert "and Management approves" in refusal_words(refused.value)
    integrity.override = Override(
        reason="bridge checked", items=["critical_alarms"], requested_by="U01AAAA", requested_at=NOW
    )
    with pytest.raises(InvalidTransition) as refused:
        check_go(items, integrity, plan)
    assert "awaits Management's" in refusal_words(refused.value)
    integrity.override.approved_by = "U03AAAA"
    check_go(items, integrity, plan)  # covered
    integrity.override = Override(
        reason="x", items=["readiness"], requested_by="U01AAAA", requested_at=NOW, approved_by="U03AAAA"
    )
    with pytest.raises(InvalidTransition):
        check_go(items, integrity, plan)  # an override covers only the items it named


def test_a_rehearsal_does_not_require_the_drills_it_belongs_to_and_says_so(plan, roster):
    stale = [{"procedure": "R2", "outcome": "rolled_back", "at": NOW - timedelta(days=40)}]
    facts = good_facts(plan, roster, rehearsals=stale, rehearsal="happy")
    items = checklist(plan, probe_items(plan, good_readings()), log_items(plan, roster, facts))
    by_key = {i.key: i for i in items}
    assert {k: by_key[k].result for k in ("rehearsal:R1", "rehearsal:R2", "rehearsal:R3")} == dict.fromkeys(
        ("rehearsal:R1", "rehearsal:R2", "rehearsal:R3"), "n/a"
    )
    assert said(by_key["rehearsal:R1"]).startswith("not required: this cutover is itself a rehearsal (happy)")
    assert "R1 not drilled yet" in said(by_key["rehearsal:R1"])
    assert "R2 last drilled 2026-10-22, 40 days ago" in said(by_key["rehearsal:R2"])
    assert render("gonogo/_item.j2", item=by_key["rehearsal:R3"]).startswith(":heavy_minus_sign:")
    check_go(items, IntegrityState(), plan)  # not required is not blocking: GO without an override
    listing = render(
        "gonogo/checklist.j2", items=items, state=None, duties=plan.duty_titles, refreshing=False
    )
    assert "Every item passes (3 not required here)" in listing


def test_outside_a_rehearsal_a_missing_drill_still_blocks_go(plan, roster):
    facts = good_facts(plan, roster, rehearsals=[])
    items = checklist(plan, probe_items(plan, good_readings()), log_items(plan, roster, facts))
    assert {i.key: i.result for i in items if i.key.startswith("rehearsal:")} == dict.fromkeys(
        ("rehearsal:R1", "rehearsal:R2", "rehearsal:R3"), "fail"
    )
    with pytest.raises(InvalidTransition):
        check_go(items, IntegrityState(), plan)


def test_a_rehearsal_with_a_recent_drill_still_shows_it_passing(plan, roster):
    items = items_of(plan, roster, good_facts(plan, roster, rehearsal="drill"))
    assert items["rehearsal:R1"][0] == "pass" and "3 days ago" in items["rehearsal:R1"][1]


def test_an_item_the_runbook_does_not_configure_is_absent_not_unknown(plan, roster):
    bare = plan.model_copy(
        update={
            "business": None,
            "communications": None,
            "go_nogo": plan.go_nogo.model_copy(
                update={"readiness_threshold": None, "critical_alarms": False, "rehearsal_max_age": None}
            ),
        }
    )
    items = items_of(bare, roster, good_facts(plan, roster), good_readings())
    assert list(items) == ["incident_response"]  # the one item the runbook still names
    no_holidays = plan.model_copy(
        update={"business": plan.business.model_copy(update={"holidays_country": None})}
    )
    assert "holiday" not in items_of(no_holidays, roster, good_facts(plan, roster), good_readings())


def test_confirmations_belong_to_the_roles_that_own_them(plan):
    owners = confirmable(plan)
    assert owners["incident_response"] == ("incident_commander",)
    assert set(owners["standby"]) == set(plan.business.required_roles)
    assert "operations" in owners["flightkeys"]
