"""Validation and reconciliation rules on snapshots (pure)."""

from __future__ import annotations

from cutover.integrity.data_checks import reconcile, validate
from tests.support.words import check, difference


def snap(msk=None, lag=None, docs=None, s3=None, unknown=None):
    return {
        "msk": msk or {},
        "consumer_lag": lag or {},
        "documentdb": docs or {},
        "s3": s3 or {},
        "unknown": unknown or {},
    }


def checks_of(plan, **update):
    return plan.data_checks.model_copy(
        update={
            "msk_topics": ["t"],
            "consumer_groups": ["g"],
            "collections": ["c"],
            "s3": plan.data_checks.s3[:1],
            **update,
        }
    )


def test_counts_may_grow_never_drop_and_lag_must_stay_under_the_limit(plan):
    checks = checks_of(plan)
    loc = "nxop-pilot-documents/"
    base = snap(
        {"t": 100}, {"g": 5}, {"c": {"count": 10, "checksum": 4}}, {loc: {"count": 1, "keys": {"a": "e1"}}}
    )
    grown = snap(
        {"t": 150},
        {"g": 100},
        {"c": {"count": 12, "checksum": 9}},
        {loc: {"count": 2, "keys": {"a": "e1", "b": "e2"}}},
    )
    passed, items = validate(checks, base, grown)
    assert passed and [i["delta"] for i in items] == [50, 2, 1, 95]
    dropped = snap(
        {"t": 99}, {"g": 1000}, {"c": {"count": 10, "checksum": 4}}, {loc: {"count": 1, "keys": {"b": "x"}}}
    )
    passed, items = validate(checks, base, dropped)
    assert not passed
    assert [(i["source"], i["result"]) for i in items] == [
        ("msk", "fail"),
        ("documentdb", "pass"),
        ("s3", "fail"),
        ("consumer_lag", "fail"),
    ]
    assert check(items[0]) == "1 messages lost (100 -> 99)"
    assert check(items[2]) == "1 object(s) missing since the baseline: a"  # same count, a key replaced


def test_an_unmeasured_source_is_unknown_not_a_pass(plan):
    checks = checks_of(plan)
    passed, items = validate(checks, snap({"t": 1}), snap(unknown={"msk": "ReadTimeoutError"}))
    assert not passed and items[0]["result"] == "unknown" and "ReadTimeoutError" in check(items[0])


def test_reconciliation_tolerance_and_every_s3_difference(plan):
    checks = checks_of(plan)
    loc = "nxop-pilot-documents/"
    east = snap(
        {"t": 100_000},
        docs={"c": {"count": 5, "checksum": 7}},
        s3={loc: {"count": 3, "keys": {"a": "1", "b": "2", "c": "3"}}},
    )
    west = snap(
        {"t": 99_900},
        docs={"c": {"count": 5, "checksum": 7}},
        s3={loc: {"count": 3, "keys": {"a": "1", "b": "X", "d": "4"}}},
    )
    passed, diffs = reconcile(checks, east, west)  # 0.1% exactly is within the tolerance
    assert not passed
    assert [(d["name"], difference(d)) for d in diffs] == [
        (f"{loc}c", "only in East"),
        (f"{loc}d", "only in West"),
        (f"{loc}b", "ETags differ"),
    ]
    passed, diffs = reconcile(checks, {**east, "msk": {"t": 100_000}}, {**east, "msk": {"t": 99_899}})
    assert not passed and difference(diffs[0]) == "differ by 101 messages (0.101% > 0.1%)"
    passed, diffs = reconcile(checks, east, snap(unknown={"documentdb": "timeout"}))
    assert (
        "could not compare (West: timeout)"
        in [difference(d) for d in diffs if d["source"] == "documentdb"][0]
    )


def test_lag_is_judged_against_the_baseline_not_only_the_limit(plan):
    checks = checks_of(plan)
    assert checks.consumer_lag_rise_max == 100  # the NXOP runbook's reading of "increased significantly"
    passed, items = validate(checks, snap(lag={"g": 10}), snap(lag={"g": 900}))
    [lag] = [i for i in items if i["source"] == "consumer_lag"]
    assert lag["result"] == "fail" and check(lag).startswith("lag rose 890 above the baseline (10 -> 900")
    passed, items = validate(checks, snap(lag={"g": 800}), snap(lag={"g": 900}))
    assert [i["result"] for i in items if i["source"] == "consumer_lag"] == ["pass"], "a rise of 100 is not"
    passed, items = validate(checks, snap(lag={"g": 900}), snap(lag={"g": 1000}))
    assert [i["result"] for i in items if i["source"] == "consumer_lag"] == ["fail"], "the limit still holds"


def test_reconciliation_alerts_past_1000_messages_even_within_the_percentage(plan):
    checks = checks_of(plan, collections=[], s3=[])
    east, west = snap({"t": 10_000_000}), snap({"t": 9_998_500})  # 0.015%: within 0.1%, but 1,500 apart
    passed, diffs = reconcile(checks, east, west)
    assert not passed and difference(diffs[0]) == "differ by 1,500 messages (> 1,000 messages)"
    passed, diffs = reconcile(checks, east, snap({"t": 9_999_000}))
    assert passed, "1,000 apart and 0.01%: both rules hold"
