"""Data integrity rules (seed 3.2-3.4): validation against the baseline, and East/West reconciliation.

Pure: snapshots are dicts shaped like the `baseline.captured` payload
({"msk": {topic: count}, "consumer_lag": {group: lag}, "documentdb": {coll: {"count","checksum"}},
"s3": {"bucket/prefix": {"count", "keys": {key: etag}}}, "unknown": {source: error}}).
A value that could not be read is never a pass. An item's `reason` and a difference's `detail` are
codes with their facts beside them; templates/integrity/_words.j2 words them.
"""

from __future__ import annotations

from typing import Any

from cutover.plan.sections import DataChecks

Snapshot = dict[str, Any]


def validate(checks: DataChecks, baseline: Snapshot | None, current: Snapshot) -> tuple[bool, list[dict]]:
    """Compare now with the baseline: no count may decrease, no object vanish, lag under the limit."""
    items: list[dict] = []
    if baseline is None:
        items.append(_item("baseline", "baseline", None, None, "unknown", "no_baseline"))
    base = baseline or {}
    unknown = {**base.get("unknown", {}), **current.get("unknown", {})}
    for topic in checks.msk_topics:
        items.append(
            _count(
                "msk",
                topic,
                base.get("msk", {}).get(topic),
                current.get("msk", {}).get(topic),
                "messages",
                unknown.get("msk"),
            )
        )
    for coll in checks.collections:
        b = (base.get("documentdb", {}).get(coll) or {}).get("count")
        c = (current.get("documentdb", {}).get(coll) or {}).get("count")
        items.append(_count("documentdb", coll, b, c, "documents", unknown.get("documentdb")))
    for loc in location_names(checks):
        items.append(
            _s3_item(loc, base.get("s3", {}).get(loc), current.get("s3", {}).get(loc), unknown.get("s3"))
        )
    for group in checks.consumer_groups:
        lag = current.get("consumer_lag", {}).get(group)
        before = base.get("consumer_lag", {}).get(group)
        if lag is None:
            unread = _item("consumer_lag", group, before, None, "unknown", "lag_not_measured")
            items.append({**unread, "error": unknown.get("consumer_lag")})
            continue
        rise_max = checks.consumer_lag_rise_max
        if lag >= checks.consumer_lag_max:
            judged = {
                **_item("consumer_lag", group, before, lag, "fail", "lag"),
                "limit": checks.consumer_lag_max,
            }
        elif before is not None and rise_max is not None and lag - before > rise_max:
            judged = {**_item("consumer_lag", group, before, lag, "fail", "lag_rose"), "rise_max": rise_max}
        else:
            judged = {
                **_item("consumer_lag", group, before, lag, "pass", "lag"),
                "limit": checks.consumer_lag_max,
            }
        items.append(judged)
    return all(i["result"] == "pass" for i in items), items


def reconcile(checks: DataChecks, east: Snapshot, west: Snapshot) -> tuple[bool, list[dict]]:
    """East vs West: MSK counts within tolerance, DocumentDB counts and checksums equal, S3 keys/ETags equal."""
    diffs: list[dict] = []
    unknown_e, unknown_w = east.get("unknown", {}), west.get("unknown", {})
    for topic in checks.msk_topics:
        e, w = east.get("msk", {}).get(topic), west.get("msk", {}).get(topic)
        if e is None or w is None:
            unread = _unread(e, w, unknown_e.get("msk"), unknown_w.get("msk"))
            diffs.append(_diff("msk", topic, e, w, "unread", unread=unread))
            continue
        gap_pct = abs(e - w) / max(e, w) * 100 if max(e, w) else 0.0
        most = checks.reconcile_msk_max_messages
        if most is not None and abs(e - w) > most:
            diffs.append(_diff("msk", topic, e, w, "messages_over", gap=abs(e - w), most=most))
        elif gap_pct > checks.reconcile_msk_tolerance_pct:
            spread = {
                "gap": abs(e - w),
                "gap_pct": gap_pct,
                "tolerance_pct": checks.reconcile_msk_tolerance_pct,
            }
            diffs.append({**_diff("msk", topic, e, w, "messages_differ"), **spread})
    for coll in checks.collections:
        e, w = east.get("documentdb", {}).get(coll), west.get("documentdb", {}).get(coll)
        if e is None or w is None:
            diffs.append(
                _diff(
                    "documentdb",
                    coll,
                    e,
                    w,
                    "unread",
                    unread=_unread(e, w, unknown_e.get("documentdb"), unknown_w.get("documentdb")),
                )
            )
            continue
        if e.get("count") != w.get("count"):
            gap = abs((e["count"] or 0) - (w["count"] or 0))
            diffs.append(
                {**_diff("documentdb", coll, e.get("count"), w.get("count"), "counts_differ"), "gap": gap}
            )
        if e.get("checksum") != w.get("checksum"):
            differ = _diff("documentdb", coll, e.get("checksum"), w.get("checksum"), "checksums_differ")
            diffs.append({**differ, "field": checks.checksum_field})
    for loc in location_names(checks):
        e, w = east.get("s3", {}).get(loc), west.get("s3", {}).get(loc)
        if e is None or w is None:
            diffs.append(
                _diff(
                    "s3",
                    loc,
                    e and e.get("count"),
                    w and w.get("count"),
                    "unread",
                    unread=_unread(e, w, unknown_e.get("s3"), unknown_w.get("s3")),
                )
            )
            continue
        diffs.extend(_s3_diffs(loc, e["keys"], w["keys"]))
    return not diffs, diffs


def location_names(checks: DataChecks) -> list[str]:
    """The "bucket/prefix" names of the configured S3 locations."""
    return [f"{loc.bucket}/{loc.prefix}" for loc in checks.s3]


def _count(source: str, name: str, before: int | None, now: int | None, unit: str, error: str | None) -> dict:
    if before is None or now is None:
        unread = _item(source, name, before, now, "unknown", "count_not_measured")
        return {**unread, "missing": "baseline" if before is None else "current", "error": error}
    delta = now - before
    return {**_item(source, name, before, now, "fail" if delta < 0 else "pass", "count"), "unit": unit}


def _s3_item(loc: str, before: dict | None, now: dict | None, error: str | None) -> dict:
    if before is None or now is None:
        item = _count(
            "s3",
            loc,
            before.get("count") if before else None,
            now.get("count") if now else None,
            "objects",
            error,
        )
        return item
    missing = sorted(set(before["keys"]) - set(now["keys"]))
    item = _count("s3", loc, before["count"], now["count"], "objects", None)
    if missing:
        item.update(result="fail", reason="objects_missing", missing=missing)
    return item


def _s3_diffs(loc: str, east: dict[str, str], west: dict[str, str]) -> list[dict]:
    diffs = [
        _diff("s3", f"{loc}{key}", east[key], None, "only_east") for key in sorted(set(east) - set(west))
    ]
    diffs += [
        _diff("s3", f"{loc}{key}", None, west[key], "only_west") for key in sorted(set(west) - set(east))
    ]
    diffs += [
        _diff("s3", f"{loc}{key}", east[key], west[key], "etags_differ")
        for key in sorted(set(east) & set(west))
        if east[key] != west[key]
    ]
    return diffs


def _unread(east: Any, west: Any, error_e: str | None, error_w: str | None) -> dict:
    """Which side could not be read, and why (None: not measured)."""
    unread = {"East": error_e, "West": error_w}
    return {side: unread[side] for side, value in (("East", east), ("West", west)) if value is None}


def _item(source: str, name: str, before: Any, now: Any, result: str, reason: str) -> dict:
    delta = now - before if isinstance(now, int | float) and isinstance(before, int | float) else None
    return {
        "source": source,
        "name": name,
        "baseline": before,
        "current": now,
        "delta": delta,
        "result": result,
        "reason": reason,
    }


def _diff(source: str, name: str, east: Any, west: Any, detail: str, **facts: Any) -> dict:
    return {"source": source, "name": name, "east": east, "west": west, "detail": detail, **facts}
