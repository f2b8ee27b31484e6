"""Data integrity rules (seed 3.2-3.4): validation against the baseline, and East/West reconciliation.

Pure: snapshots are dicts shaped like the `baseline.captured` payload
({"msk": {topic: count}, "consumer_lag": {group: lag}, "documentdb": {coll: {"count","checksum"}},
"s3": {"bucket/prefix": {"count", "keys": {key: etag}}}, "unknown": {source: error}}).
A value that could not be read is never a pass.
"""

from __future__ import annotations

from typing import Any

from cutover.plan.sections import DataChecks

Snapshot = dict[str, Any]
MAX_KEYS_NAMED = 20


def validate(checks: DataChecks, baseline: Snapshot | None, current: Snapshot) -> tuple[bool, list[dict]]:
    """Compare now with the baseline: no count may decrease, no object vanish, lag under the limit."""
    items: list[dict] = []
    if baseline is None:
        items.append(
            _item(
                "baseline",
                "baseline",
                None,
                None,
                "unknown",
                "no baseline captured (`/cutover baseline capture`)",
            )
        )
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
            items.append(
                _item(
                    "consumer_lag",
                    group,
                    before,
                    None,
                    "unknown",
                    f"lag not measured: {unknown.get('consumer_lag', 'no reading')}",
                )
            )
        elif lag >= checks.consumer_lag_max:
            items.append(
                _item(
                    "consumer_lag",
                    group,
                    before,
                    lag,
                    "fail",
                    f"lag {lag:,} >= {checks.consumer_lag_max:,} messages",
                )
            )
        elif (
            before is not None
            and checks.consumer_lag_rise_max is not None
            and (lag - before > checks.consumer_lag_rise_max)
        ):
            items.append(
                _item(
                    "consumer_lag",
                    group,
                    before,
                    lag,
                    "fail",
                    f"lag rose {lag - before:,} above the baseline ({before:,} -> {lag:,}; "
                    f"more than {checks.consumer_lag_rise_max:,} is significant)",
                )
            )
        else:
            items.append(
                _item(
                    "consumer_lag",
                    group,
                    before,
                    lag,
                    "pass",
                    f"lag {lag:,} < {checks.consumer_lag_max:,} messages",
                )
            )
    return all(i["result"] == "pass" for i in items), items


def reconcile(checks: DataChecks, east: Snapshot, west: Snapshot) -> tuple[bool, list[dict]]:
    """East vs West: MSK counts within tolerance, DocumentDB counts and checksums equal, S3 keys/ETags equal."""
    diffs: list[dict] = []
    unknown_e, unknown_w = east.get("unknown", {}), west.get("unknown", {})
    for topic in checks.msk_topics:
        e, w = east.get("msk", {}).get(topic), west.get("msk", {}).get(topic)
        if e is None or w is None:
            diffs.append(_diff("msk", topic, e, w, _unread(e, w, unknown_e.get("msk"), unknown_w.get("msk"))))
            continue
        gap_pct = abs(e - w) / max(e, w) * 100 if max(e, w) else 0.0
        most = checks.reconcile_msk_max_messages
        if most is not None and abs(e - w) > most:
            diffs.append(
                _diff("msk", topic, e, w, f"differ by {abs(e - w):,} messages (> {most:,} messages)")
            )
        elif gap_pct > checks.reconcile_msk_tolerance_pct:
            diffs.append(
                _diff(
                    "msk",
                    topic,
                    e,
                    w,
                    f"differ by {abs(e - w):,} messages ({gap_pct:.3f}% > "
                    f"{checks.reconcile_msk_tolerance_pct}%)",
                )
            )
    for coll in checks.collections:
        e, w = east.get("documentdb", {}).get(coll), west.get("documentdb", {}).get(coll)
        if e is None or w is None:
            diffs.append(
                _diff(
                    "documentdb",
                    coll,
                    e,
                    w,
                    _unread(e, w, unknown_e.get("documentdb"), unknown_w.get("documentdb")),
                )
            )
            continue
        if e.get("count") != w.get("count"):
            diffs.append(
                _diff(
                    "documentdb",
                    coll,
                    e.get("count"),
                    w.get("count"),
                    f"document counts differ by {abs((e['count'] or 0) - (w['count'] or 0)):,}",
                )
            )
        if e.get("checksum") != w.get("checksum"):
            diffs.append(
                _diff(
                    "documentdb",
                    coll,
                    e.get("checksum"),
                    w.get("checksum"),
                    f"checksums ({checks.checksum_field}) differ",
                )
            )
    for loc in location_names(checks):
        e, w = east.get("s3", {}).get(loc), west.get("s3", {}).get(loc)
        if e is None or w is None:
            diffs.append(
                _diff(
                    "s3",
                    loc,
                    e and e.get("count"),
                    w and w.get("count"),
                    _unread(e, w, unknown_e.get("s3"), unknown_w.get("s3")),
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
        missing = "baseline" if before is None else "current count"
        return _item(
            source, name, before, now, "unknown", f"{missing} not measured{': ' + error if error else ''}"
        )
    delta = now - before
    if delta < 0:
        return _item(source, name, before, now, "fail", f"{-delta:,} {unit} lost ({before:,} -> {now:,})")
    return _item(source, name, before, now, "pass", f"{before:,} -> {now:,} (+{delta:,})")


def _s3_item(loc: str, before: dict | None, now: dict | None, error: str | None) -> dict:
    if before is None or now is None:
        item = _count("s3", loc, before and before.get("count"), now and now.get("count"), "objects", error)
        return item
    missing = sorted(set(before["keys"]) - set(now["keys"]))
    item = _count("s3", loc, before["count"], now["count"], "objects", None)
    if missing:
        named = ", ".join(missing[:MAX_KEYS_NAMED]) + (
            f" and {len(missing) - MAX_KEYS_NAMED} more" if len(missing) > MAX_KEYS_NAMED else ""
        )
        item.update(
            result="fail",
            reason=f"{len(missing)} object(s) missing since the baseline: {named}",
            missing=missing,
        )
    return item


def _s3_diffs(loc: str, east: dict[str, str], west: dict[str, str]) -> list[dict]:
    diffs = [
        _diff("s3", f"{loc}{key}", east[key], None, "only in East") for key in sorted(set(east) - set(west))
    ]
    diffs += [
        _diff("s3", f"{loc}{key}", None, west[key], "only in West") for key in sorted(set(west) - set(east))
    ]
    diffs += [
        _diff("s3", f"{loc}{key}", east[key], west[key], "ETags differ")
        for key in sorted(set(east) & set(west))
        if east[key] != west[key]
    ]
    return diffs


def _unread(east: Any, west: Any, error_e: str | None, error_w: str | None) -> str:
    sides = [
        f"East: {error_e or 'not measured'}" if east is None else "",
        f"West: {error_w or 'not measured'}" if west is None else "",
    ]
    return "could not compare (" + "; ".join(s for s in sides if s) + ")"


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


def _diff(source: str, name: str, east: Any, west: Any, detail: str) -> dict:
    return {"source": source, "name": name, "east": east, "west": west, "detail": detail}
