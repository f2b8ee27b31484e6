"""Figures for go/no-go and data integrity: ack time of `/cutover go-nogo`, a full checklist evaluation,
a baseline capture and a validation over many S3 keys (fake platform, in-memory SQLite).

Run: PYTHONPATH=. .venv/bin/python bench/bench_integrity.py  (or `make bench`)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime

from bot.integrity.jobs import wire
from bot.probes.archive import MemoryArchive
from bot.probes.fakes import FakeInfrastructure, etag
from cutover.integrity.data_checks import validate
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from tests.support.bot import CommandBot


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    print(
        f"{name}: p50 {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms, n={len(ms)}"
    )


def main() -> None:
    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    folder = tempfile.mkdtemp()  # a file database: the background jobs use their own connections
    bot = CommandBot(plan, roster, f"sqlite:///{folder}/bench.db", datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    infra = FakeInfrastructure.for_plan(plan, objects_per_bucket=5000)
    jobs = wire(bot.services, probes=infra.probes(), archive=MemoryArchive(), inline=False)
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 08:00", ic)
    jobs.wait()
    report(
        "go-nogo (ack: last evaluation + log items; re-evaluation queued)",
        timed(lambda: bot.ok("go-nogo", ic), 50),
    )
    jobs.wait()
    from bot.integrity import ops

    cid = bot.state.cutover_id
    report(
        "checklist evaluation (probes + append + thread post)",
        timed(lambda: ops.evaluate_checklist(bot.services, cid), 20),
    )
    report(
        "baseline capture (2 buckets x 5,000 keys, archive)",
        timed(lambda: ops.capture_baseline(bot.services, cid, archive=jobs.archive), 5),
    )
    baseline = bot.state.integrity.baseline
    current = {
        **baseline,
        "s3": {
            loc: {"count": 50_000, "keys": {f"k{i}": etag(str(i)) for i in range(50_000)}}
            for loc in baseline["s3"]
        },
    }
    base50 = {
        **baseline,
        "s3": {loc: {"count": 50_000, "keys": dict(current["s3"][loc]["keys"])} for loc in baseline["s3"]},
    }
    report(
        "validate rule (2 buckets x 50,000 keys)",
        timed(lambda: validate(plan.data_checks, base50, current), 10),
    )
    jobs.close()


if __name__ == "__main__":
    main()
