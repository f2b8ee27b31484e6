"""Benchmark: the T-1h notification as DMs to 1,000 stakeholders through the persistent outbox,
against a fake Slack that allows `rate` calls per second per method (429 + Retry-After beyond).

Prints the wall time against the floor the rate limit allows (ratio; target <= 1.2), the
messages lost (must be 0) and the duplicates (must be 0).

    PYTHONPATH=. /tmp/venv0/bin/python bench/bench_outbox_dms.py [--people 1000] [--rate 50]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot.bootstrap import build_services
from bot.clock import SystemClock
from bot.outbox.persistent import PersistentOutbox
from bot.outbox.transports import Transports
from bot.timeline import messages as msg
from bot.timeline.comms import comm_context
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from cutover.state import CutoverState
from tests.support.fake_slack_api import FakeSlackApi


def serve_fake_slack(conn, rate: int) -> None:
    """In a child process (its own interpreter lock, like the real Slack): serve, then report the calls."""
    with FakeSlackApi() as slack:
        slack.rate_limit(rate, retry_after=1)
        conn.send(slack.url)
        conn.recv()  # "done"
        calls = [(c["method"], {k: c["args"].get(k) for k in ("channel", "users")}) for c in slack.calls]
        conn.send((calls, [a["status"] for a in slack.attempts]))


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=50, help="calls per second per method the fake allows")
    parser.add_argument(
        "--workers", type=int, default=4, help="concurrent deliveries (one per order key at most)"
    )
    args = parser.parse_args()
    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    users = [f"U{n:08d}" for n in range(args.people)]
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fake_slack, args=(child, args.rate), daemon=True)
    server.start()
    url = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        client = WebClient(token="xoxb-bench", base_url=url, timeout=5, retry_handlers=[])
        clock = SystemClock()
        services = build_services(
            runbook=plan,
            roster=roster,
            database_url=f"sqlite:///{Path(tmp) / 'b.db'}",
            clock=clock,
            slack_client=client,
        )
        state = CutoverState(cutover_id="bench", window_start=clock.now() + timedelta(hours=1))
        text = msg.text(
            services,
            "comms/t_minus_1h.j2",
            **comm_context(services, state),
            subject="System Maintenance Starting in 1 Hour",
            message=None,
            late=False,
            due_at=state.window_start,
            late_by=timedelta(),
            state=state,
            plan=plan,
            now=clock.now(),
            cutover_id="bench",
        )
        outbox = PersistentOutbox(
            services.ledger.db, clock, Transports.of(slack=client), workers=args.workers
        )
        services.outbox = outbox
        started = time.monotonic()
        outbox.start()
        with msg.batch(services):
            for user in users:
                msg.direct(services, user, text, key=f"comm:T-1h:bench:dm:{user}")
        queued = time.monotonic() - started
        while outbox.pending():
            time.sleep(0.05)
        wall = time.monotonic() - started
        outbox.stop()
        parent.send("done")
        calls, statuses = parent.recv()
        server.join(5)
    opened = [a["users"] for m, a in calls if m == "conversations.open"]
    channel_of = {user: "D" + hashlib.sha1(user.encode()).hexdigest()[:9].upper() for user in opened}
    per_channel = Counter(a["channel"] for m, a in calls if m == "chat.postMessage")
    lost = sum(1 for u in users if per_channel.get(channel_of.get(u, "?"), 0) == 0)
    duplicates = sum(n - 1 for n in per_channel.values() if n > 1) + len(opened) - len(set(opened))
    refused = statuses.count(429)
    calls_per_method = args.people
    floor = (
        calls_per_method - args.rate
    ) / args.rate  # the first `rate` calls go at once, then `rate` per second
    print(f"DMs: {args.people} (conversations.open + chat.postMessage each), limit {args.rate}/s per method")
    print(
        f"floor: each method gets {calls_per_method} calls; a sliding 1 s window of {args.rate} lets call k go "
        f"no earlier than floor(k/{args.rate}) s after the first, so the last open goes at >= "
        f"({calls_per_method}-{args.rate})/{args.rate} = {floor:g} s and its post right after; the two methods "
        f"overlap (open n+1 while posting n), so they do not add up (a strict {args.rate}/s without the free first "
        f"burst would give {calls_per_method / args.rate:g} s)"
    )
    print(f"wall time: {wall:.2f} s; floor allowed by the limit: {floor:.2f} s; ratio: {wall / floor:.3f}")
    print(
        f"messages lost: {lost}; duplicates: {duplicates}; DM channels opened: {len(set(opened))}; "
        f"429 answers: {refused}"
    )
    print(f"(fake Slack in its own process; {args.workers} delivery workers; queued in {queued:.2f} s)")
    return 0 if lost == 0 and duplicates == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
