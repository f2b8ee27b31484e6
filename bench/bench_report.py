"""Benchmark: the post-cutover report of a 100,000-event cutover log (long monitoring period, many notes).

Builds a successful cutover with CommandBot, then bulk-appends monitoring checkpoints, status posts
and notes through storage.eventlog.append in batches, and times the report: load (history + hash
chain verification) + build (fold and sections) + render (Markdown, HTML, PNG). Peak memory is
measured twice: tracemalloc in a second run (Python allocations) and the process's maxrss.
Target on this machine: under 3 s and under 300 MB.

    python bench/bench_report.py [--events 100000] [--db sqlite:///path] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cutover.events import Opaque  # noqa: E402
from cutover.plan import default_runbook_path, load_runbook  # noqa: E402
from cutover.roster import default_roster_path, load_roster  # noqa: E402
from storage import eventlog  # noqa: E402
from storage.db import create_db_engine  # noqa: E402
from storage.eventlog import Pending  # noqa: E402
from tests.conftest import T0  # noqa: E402
from tests.support import report_logs  # noqa: E402
from tests.support.bot import CommandBot  # noqa: E402

BATCH = 5000
METRICS = {"error_rate_pct": 0.12, "latency_p95_ms": 410.0, "throughput": 990.0, "replication_lag_s": 3.0}


def build_log(url: str, total: int) -> tuple[CommandBot, str]:
    """A successful cutover followed by monitoring, status posts and notes up to `total` events."""
    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    bot = CommandBot(plan, roster, url, T0)
    report_logs.success_log(bot)
    state = bot.state
    cutover_id, seq = state.cutover_id, state.seq
    at = bot.clock.now()
    people = [m.slack_id for m in roster.everyone()]
    pending: list[Pending] = []
    for n in range(total - seq):
        at += timedelta(seconds=2.5)  # 100,000 events span about 69 hours: the 72-hour monitoring period
        if n % 3 == 0:
            breaches = ["latency_p95_ms 520 > 500"] if n % 300 == 0 else []
            event = Opaque(kind_name="monitoring.checkpoint", data=report_logs.checkpoint(dict(METRICS),
                                                                                        breaches=breaches))
            actor = "cutover-bot"
        elif n % 3 == 1:
            event = Opaque(kind_name="status.posted", data={"key": f"status:{cutover_id}:{n}"})
            actor = "cutover-bot"
        else:
            event = Opaque(kind_name="note.added", data={"category": "lesson" if n % 2 else "issue",
                                                         "text": f"observation {n}: consumer lag steady | ok"})
            actor = people[n % len(people)]
        pending.append(Pending(actor, at, event))
        if len(pending) == BATCH:
            seq = eventlog.append(engine=bot.services.ledger.db, cutover_id=cutover_id, batch=pending,
                                  expected_seq=seq)[-1].seq
            pending = []
    if pending:
        eventlog.append(engine=bot.services.ledger.db, cutover_id=cutover_id, batch=pending, expected_seq=seq)
    return bot, cutover_id


def timed_report(bot: CommandBot, cutover_id: str) -> dict[str, float]:
    """Seconds spent loading, building and rendering the report once (the steps of build.write_report)."""
    from bot.report.build import gc_paused

    with gc_paused():
        return _timed_steps(bot, cutover_id)


def _timed_steps(bot: CommandBot, cutover_id: str) -> dict[str, float]:
    from bot.report import render
    from bot.report.chart import timeline_png
    from cutover.report_model import build_report
    from templates.render import render_json

    services = bot.services
    names = {m.slack_id: m.name for m in services.roster.everyone()}
    cpu = time.process_time()
    marks = {"start": time.perf_counter()}
    history, audit = eventlog.history_verified(engine=services.ledger.db, cutover_id=cutover_id)
    marks["load+verify"] = time.perf_counter()
    report = build_report(services.plan, history, cutover_id, names=names, audit=audit)
    marks["build"] = time.perf_counter()
    png = timeline_png(report, render_json("report/chart_labels.json.j2", None, r=report))
    marks["png"] = time.perf_counter()
    rows = render.appendix(report)
    marks["appendix"] = time.perf_counter()
    md = render.markdown(report, None, rows)
    marks["markdown"] = time.perf_counter()
    page = render.html(report, png, None, rows)
    marks["html"] = time.perf_counter()
    names_ = list(marks)
    spans = {names_[i]: marks[names_[i]] - marks[names_[i - 1]] for i in range(1, len(names_))}
    spans["total"] = marks["html"] - marks["start"]
    spans["cpu"] = time.process_time() - cpu
    spans["events"] = len(history)
    spans["md_mb"], spans["html_mb"] = len(md) / 1e6, len(page) / 1e6
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="report on the first cutover already in --db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        began = time.perf_counter()
        if args.reuse and args.db and eventlog.cutover_ids(engine=create_db_engine(args.db)):
            bot = CommandBot(load_runbook(default_runbook_path()), load_roster(default_roster_path(),
                             load_runbook(default_runbook_path())), args.db, T0)
            cutover_id = eventlog.cutover_ids(engine=bot.services.ledger.db)[0]
        else:
            bot, cutover_id = build_log(url, args.events)
            print(f"built a log of {args.events} events in {time.perf_counter() - began:.1f} s "
                  f"({url.split(':')[0]})")
        import matplotlib.pyplot  # noqa: F401  - warm imports: measured apart from the report itself

        from bot.report import build  # noqa: F401

        cold = timed_report(bot, cutover_id)
        warm = timed_report(bot, cutover_id)
        for label, spans in (("first run", cold), ("second run", warm)):
            parts = ", ".join(f"{k} {v:.2f}s" for k, v in spans.items() if k not in ("total", "cpu", "events",
                                                                                      "md_mb", "html_mb"))
            print(f"report ({label}): {spans['total']:.2f} s ({spans['cpu']:.2f} s CPU) for {spans['events']} events "
                  f"[{parts}]; "
                  f"Markdown {spans['md_mb']:.1f} MB, HTML {spans['html_mb']:.1f} MB")
        untraced_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        timed_report(bot, cutover_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak / 1e6:.0f} MB traced by tracemalloc during one report; process maxrss "
              f"{untraced_mb:.0f} MB after the two untraced reports (including the log's construction when built "
              f"here), {maxrss_mb:.0f} MB after the traced one (tracemalloc's own bookkeeping included)")
        ok = cold["total"] < 3.0 and peak < 300e6
        print(f"target (< 3 s, < 300 MB): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
