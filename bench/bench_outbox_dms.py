"""Benchmark: the T-1h notification as DMs to 1,000 stakeholders through the persistent outbox,
against a fake Slack enforcing Slack's documented rate limits (bot/slack/emulator/limits.py: 429 +
Retry-After beyond them).

A DM is one chat.postMessage to the person's user ID (the app's Messages tab). Slack limits
chat.postMessage to about one a second per channel (every DM is its own channel) under a
workspace-wide "several hundred a minute", modelled as 300 in any 60 s. Prints the wall time
against the floor those limits allow (ratio; target <= 1.2), the messages lost (must be 0) and the
duplicates (must be 0), and what the old way (conversations.open first: Tier 3, 50 a minute) allows.

    PYTHONPATH=. .venv/bin/python bench/bench_outbox_dms.py [--people 1000] [--workers 4]
"""

from __future__ import annotations

import argparse
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
from bot.slack.emulator.limits import POST_PER_WORKSPACE, TIERS
from bot.timeline import messages as msg
from bot.timeline.comms import comm_context
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from cutover.state import CutoverState
from tests.support.fake_slack_api import FakeSlackApi


def serve_fake_slack(conn) -> None:
    """In a child process (its own interpreter lock, like the real Slack): serve, then report the calls."""
    with FakeSlackApi() as slack:
        slack.rate_tiers()  # Slack's documented limits
        conn.send(slack.url)
        conn.recv()  # "done"
        calls = [(c["method"], {k: c["args"].get(k) for k in ("channel", "users")}) for c in slack.calls]
        conn.send((calls, [a["status"] for a in slack.attempts]))


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument(
        "--workers", type=int, default=4, help="concurrent deliveries (one per order key at most)"
    )
    args = parser.parse_args()
    plan = load_runbook(default_runbook_path())
    roster = load_roster(default_roster_path(), plan)
    users = [f"U{n:08d}" for n in range(args.people)]
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fake_slack, args=(child,), daemon=True)
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
    per_user = Counter(a["channel"] for m, a in calls if m == "chat.postMessage")
    lost = sum(1 for u in users if per_user.get(u, 0) == 0)
    duplicates = sum(n - 1 for n in per_user.values() if n > 1)
    refused = statuses.count(429)
    window = POST_PER_WORKSPACE
    floor = (args.people - 1) // window.calls * window.seconds
    opens = TIERS["conversations.open"]
    old_floor = (args.people - 1) // opens.calls * opens.seconds
    print(
        f"DMs: {args.people}, each one chat.postMessage to the user ID; Slack's limits: 1 a second per "
        f"channel (each DM its own), {window.calls} in any {window.seconds:g} s workspace-wide"
    )
    print(
        f"floor: a sliding window of {window.calls} lets post k go no earlier than "
        f"floor(k/{window.calls}) x {window.seconds:g} s after the first, so the last goes at >= {floor:g} s "
        f"(the old way, conversations.open first at Tier 3, {opens.calls} a minute: >= {old_floor / 60:g} min)"
    )
    ratio = wall / floor if floor else float("nan")
    print(f"wall time: {wall:.2f} s; floor allowed by the limits: {floor:.2f} s; ratio: {ratio:.3f}")
    print(
        f"messages lost: {lost}; duplicates: {duplicates}; conversations.open calls: {len(opened)}; "
        f"429 answers: {refused}"
    )
    print(f"(fake Slack in its own process; {args.workers} delivery workers; queued in {queued:.2f} s)")
    met = lost == 0 and duplicates == 0 and not opened and (not floor or ratio <= 1.2)
    print(f"target (0 lost, 0 doubled, within 1.2x of the floor): {'MET' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
