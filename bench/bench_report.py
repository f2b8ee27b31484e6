"""Benchmark: the post-cutover report of a 100,000-event cutover log (long monitoring period, many notes).

Builds a successful cutover with CommandBot, then bulk-appends monitoring checkpoints, status posts
and notes through storage.eventlog.append in batches (or, with --reuse, takes the first cutover
already in --db). The report is then measured in fresh processes that only report on the existing
database, so their memory is the reporting process's own:
- the report itself (`--measure`): the steps of build.write_report timed one by one (first run: cold,
  templates compiled; then a second run), and peak memory as the process's maxrss after the first
  run (imports included: about 105 MB of them are matplotlib, SQLAlchemy and the bot);
- the real CLI, `cutover-bot report --cutover ID --out DIR` end to end: wall time (imports included)
  and maxrss.
Target on this machine: under 3 s and under 300 MB.

    python bench/bench_report.py [--events 100000] [--db sqlite:///path] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5000
METRICS = {"error_rate_pct": 0.12, "latency_p95_ms": 410.0, "throughput": 990.0, "replication_lag_s": 3.0}
STEPS = ("load+verify", "build", "png", "appendix", "markdown", "html")


def build_log(url: str, total: int) -> str:
    """A successful cutover followed by monitoring, status posts and notes up to `total` events; its id."""
    from cutover.events import Opaque
    from cutover.plan.model import default_runbook_path, load_runbook
    from cutover.roster import default_roster_path, load_roster
    from storage import eventlog
    from storage.eventlog import Pending
    from tests.conftest import T0
    from tests.support import report_logs
    from tests.support.bot import CommandBot

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
            event = Opaque(
                kind_name="monitoring.checkpoint",
                data=report_logs.checkpoint(dict(METRICS), breaches=breaches),
            )
            actor = "cutover-bot"
        elif n % 3 == 1:
            event = Opaque(kind_name="status.posted", data={"key": f"status:{cutover_id}:{n}"})
            actor = "cutover-bot"
        else:
            event = Opaque(
                kind_name="note.added",
                data={
                    "category": "lesson" if n % 2 else "issue",
                    "text": f"observation {n}: consumer lag steady | ok",
                },
            )
            actor = people[n % len(people)]
        pending.append(Pending(actor, at, event))
        if len(pending) == BATCH:
            seq = eventlog.append(
                engine=bot.services.ledger.db, cutover_id=cutover_id, batch=pending, expected_seq=seq
            )[-1].seq
            pending = []
    if pending:
        eventlog.append(engine=bot.services.ledger.db, cutover_id=cutover_id, batch=pending, expected_seq=seq)
    return cutover_id


def measure(url: str, cutover_id: str) -> dict:
    """In this (fresh) process: import, report twice step by step, and this process's maxrss."""
    began = time.perf_counter()
    import matplotlib.pyplot  # noqa: F401  - the imports the report needs, timed apart

    from bot.report.build import gc_paused
    from cutover.plan.model import default_runbook_path, load_runbook
    from cutover.roster import default_roster_path, load_roster
    from storage.db import create_db_engine

    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    db = create_db_engine(url)
    result = {"imports_s": time.perf_counter() - began, "imports_mb": _maxrss_mb()}
    with gc_paused():  # as build.write_report does
        result["first"] = _timed_steps(db, plan, roster, cutover_id)
    result["peak_mb"] = _maxrss_mb()
    with gc_paused():
        result["second"] = _timed_steps(db, plan, roster, cutover_id)
    return result


def _timed_steps(db, plan, roster, cutover_id: str) -> dict:
    """Seconds spent in each step of build.write_report, once."""
    from bot.report import render
    from bot.report.chart import timeline_png
    from cutover.report.model import build_report
    from storage import eventlog
    from templates.render import render_json

    names = {m.slack_id: m.name for m in roster.everyone()}
    cpu = time.process_time()
    marks = [time.perf_counter()]
    history, audit = eventlog.history_verified(engine=db, cutover_id=cutover_id)
    marks.append(time.perf_counter())
    report = build_report(plan, history, cutover_id, names=names, audit=audit)
    events = len(history)
    del history
    marks.append(time.perf_counter())
    png = timeline_png(report, render_json("report/chart_labels.json.j2", None, r=report))
    marks.append(time.perf_counter())
    rows = render.appendix(report)
    marks.append(time.perf_counter())
    md = render.markdown(report, None, rows.markdown)
    marks.append(time.perf_counter())
    page = render.html(report, png, None, rows.html)
    marks.append(time.perf_counter())
    spans = {step: marks[i + 1] - marks[i] for i, step in enumerate(STEPS)}
    return spans | {
        "total": marks[-1] - marks[0],
        "cpu": time.process_time() - cpu,
        "events": events,
        "audit_ok": audit.ok,
        "md_mb": len(md) / 1e6,
        "html_mb": len(page) / 1e6,
    }


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh(args: list[str]) -> tuple[float, float, str]:
    """Run a fresh Python process: its wall time, maxrss (MB) and standard output."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors = proc.stderr.read().decode()
        proc.stderr.close()
        if proc.returncode:
            raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {errors}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="report on the first cutover already in --db")
    parser.add_argument("--measure", metavar="CUTOVER", help=argparse.SUPPRESS)  # the fresh reporting process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.db, args.measure)))
        return 0
    from storage import eventlog
    from storage.db import create_db_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        known = eventlog.cutover_ids(engine=create_db_engine(url)) if args.reuse and args.db else []
        if known:
            cutover_id = known[0]
            print(f"reporting on {cutover_id}, already in {url}")
        else:
            began = time.perf_counter()
            cutover_id = build_log(url, args.events)
            print(
                f"built a log of {args.events} events in {time.perf_counter() - began:.1f} s ({url.split(':')[0]})"
            )
        _, _, out = _fresh([sys.executable, __file__, "--db", url, "--measure", cutover_id])
        result = json.loads(out)
        for label in ("first", "second"):
            spans = result[label]
            parts = ", ".join(f"{step} {spans[step]:.2f}s" for step in STEPS)
            print(
                f"report ({label} run): {spans['total']:.2f} s ({spans['cpu']:.2f} s CPU) for {spans['events']} "
                f"events [{parts}]; chain {'verified' if spans['audit_ok'] else 'BROKEN'}; "
                f"Markdown {spans['md_mb']:.1f} MB, HTML {spans['html_mb']:.1f} MB"
            )
        print(
            f"peak memory of the reporting process (a fresh process reporting on the existing log): maxrss "
            f"{result['peak_mb']:.0f} MB after the first report, imports included ({result['imports_mb']:.0f} MB "
            f"after importing, {result['imports_s']:.2f} s)"
        )
        cli = Path(sys.executable).with_name("cutover-bot")
        cli_ok = True
        if cli.exists():
            wall, rss, _ = _fresh(
                [str(cli), "report", "--cutover", cutover_id, "--out", str(Path(tmp) / "out"), "--db", url]
            )
            cli_ok = wall < 3.0 and rss < 300
            print(
                f"cutover-bot report --cutover {cutover_id} --out DIR (fresh process, end to end, imports "
                f"included): {wall:.2f} s wall, maxrss {rss:.0f} MB"
            )
        ok = result["first"]["total"] < 3.0 and result["peak_mb"] < 300
        print(
            f"target (< 3 s, < 300 MB): {'met' if ok else 'NOT met'} by the report"
            + (f"; {'met' if cli_ok else 'NOT met'} by the CLI end to end" if cli.exists() else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
