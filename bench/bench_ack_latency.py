"""Ack latency of /cutover over HTTP: `serve --http` beside a bare Bolt app that only acks.

    PYTHONPATH=. .venv/bin/python bench/bench_ack_latency.py [--requests 2000] [--clients 8] [--shared-read-ms N]
        [--slack-delay 3.5]

Both servers run as their own processes on 127.0.0.1, served the same way (waitress, 8 threads,
the same Bolt flags: process_before_response=True); the Slack Web API is the local fake. Each row
is N signed requests over keep-alive connections, first from one client, then from 8 concurrent
clients (threads). `gate approve`: Gate 1 is open when the run starts; the first request approves
it, every later one is refused ("Gate 1 is already approved"): the engine's full decision path,
answered in the ack. The button rows press Approve on Gate 1 (the command runs, and its private
answer goes to Slack after the ack) and Abort (the reason modal opens after the ack).

`--slack-delay S`: the fake Slack takes S seconds to answer every call once the servers are up (a
Slack having a bad night; Slack itself shows "app did not respond" after 3 s). The target then is
also that every request is acked within 300 ms.

The fake Slack runs in a process of its own: what the bot sends after its acks (a click's answer and
its replaced card) then costs the measuring clients nothing; the bot's own work after the ack still
shares the CPUs with its acks, as it would in production.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.slack.signed_requests import SlackRequests  # noqa: E402
from tests.support.fake_slack_api import FakeSlackApi  # noqa: E402
from tests.support.slack_http import SlackSender, http_headers  # noqa: E402

SECRET = "bench-signing-secret-5b1e"
ACK_LIMIT_MS = 300.0  # with a slow Slack, every ack within this (Slack gives up at 3 s)
TOKEN = "xoxb-0000-bench-token"
IC, MANAGEMENT = "U01AAAA", "U03AAAA"
CLI = "from bot.cli import main; raise SystemExit(main())"


class SlackProcess:
    """The fake Slack Web API in a child process: its base URL, its response_url base, `slow_all` once."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._ports, self._slow = context.Queue(), context.Queue()
        self._process = context.Process(target=_run_fake_slack, args=(self._ports, self._slow), daemon=True)
        self._process.start()
        port = self._ports.get(timeout=30)
        self.url = f"http://127.0.0.1:{port}/api/"
        self.response_urls = f"http://127.0.0.1:{port}/response/"

    def slow_all(self, seconds: float) -> None:
        """From now on every call takes this long."""
        self._slow.put(seconds)

    def stop(self) -> None:
        """End the child process."""
        self._process.kill()
        self._process.join(5)


def _run_fake_slack(ports, slow) -> None:
    with FakeSlackApi() as slack:
        ports.put(slack.port)
        while True:
            slack.slow_all(slow.get())


@contextlib.contextmanager
def fake_slack_process():
    """A SlackProcess for the duration of the block."""
    slack = SlackProcess()
    try:
        yield slack
    finally:
        slack.stop()


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_bare(port: int, api_url: str, threads: int) -> None:
    """A Bolt app that only acks /cutover, served exactly as `serve --http` serves the bot."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from sqlalchemy import create_engine

    from bot.serve.http import HttpServer, SlackWsgiApp

    app = App(
        client=WebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=True,
        name="bare",
    )
    app.command("/cutover")(lambda ack: ack())
    app.action(re.compile(".*"))(lambda ack: ack())
    with HttpServer(
        SlackWsgiApp(app, create_engine("sqlite://"), signing_secret=SECRET),
        host="127.0.0.1",
        port=port,
        threads=threads,
    ):
        threading.Event().wait()


def prepare_database(url: str) -> None:
    """A cutover started by the Incident Commander with Phase 0 done: Gate 1 is open.

    The start comes half an hour before the window on the set-up's clock, so the start-window rule
    asks for the go/no-go override (IC asks, Management approves); the set-up stops if it is refused.
    """
    from bot.bootstrap import build_services, load_plan
    from bot.clock import FakeClock
    from commands.run import execute
    from cutover.plan.model import default_runbook_path
    from cutover.roster import default_roster_path

    runbook, roster = load_plan(str(default_runbook_path()), str(default_roster_path()))
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=30))
    services = build_services(runbook=runbook, roster=roster, database_url=url, clock=clock)
    now = datetime.now(UTC)
    for text, who in [
        (f"schedule {now:%Y-%m-%d %H:%M}", IC),
        ("go-nogo override bench run", IC),
        ("go-nogo approve-override", MANAGEMENT),
        ("go-nogo go bench", IC),
        ("go-nogo override starting now is agreed for the bench", IC),  # the start-window rule
        ("go-nogo approve-override", MANAGEMENT),
        ("start", IC),
    ]:
        reply = execute(services, who, text)
        if text == "start" and (
            services.ledger.current() is None or services.ledger.current().status != "executing"
        ):
            raise SystemExit(f"the bench's cutover did not start: {reply}")
    for step in runbook.phases[0].steps:
        doer = roster.members_of(step.raci.R[0])[0].slack_id
        for verb in ("start", "done"):
            clock.advance(timedelta(minutes=1))
            execute(services, doer, f"step {verb} {step.id}")


def start_server(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    """Start a server process and wait until it accepts connections."""
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server on port {port} did not start: {' '.join(argv)}")


_clicks = itertools.count(1)


def request_for(signing: SlackRequests, what: str):
    """A signed request: "/cutover <text>" typed, or "button <action_id> <value>" pressed, by the IC."""
    if not what.startswith("button "):
        return signing.slash(IC, what)
    _, action_id, value = (what.split(" ", 2) + [""])[:3]
    return signing.block_action(
        IC,
        channel="C0CUTOVER",
        message_ts="1764550800.000100",
        message={"type": "message", "ts": "1764550800.000100", "text": "", "blocks": []},
        action={"action_id": action_id, "block_id": "b1", "value": value},
        action_ts=f"1764550900.{next(_clicks):06d}",  # each press is a new click, not a retry
    )


RESPONSE_URLS: list[str] = []  # the fake Slack's response_url base, once it runs: clicks answer there


def measure(url: str, text: str, requests: int, clients: int) -> tuple[list[float], float]:
    """Latencies (ms) of `requests` signed requests (see `request_for`) from `clients` threads, and the wall time."""
    return measure_over([url], text, requests, clients)


def measure_over(urls: list[str], text: str, requests: int, clients: int) -> tuple[list[float], float]:
    """As `measure`, client i talking to urls[i % len(urls)] (replicas behind a load balancer)."""
    per_client = requests // clients
    signing = SlackSender(urls[0], SECRET, response_urls=RESPONSE_URLS[0] if RESPONSE_URLS else None).requests
    requests_ = [[request_for(signing, text) for _ in range(per_client)] for _ in range(clients)]
    signed = [[(r.raw_body, http_headers(r)) for r in batch] for batch in requests_]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        sender = SlackSender(urls[index % len(urls)], SECRET)
        sender.get("/healthz")  # connect before the clock starts
        barrier.wait()
        for body, headers in signed[index]:
            started = time.perf_counter()
            answer = sender.post(body, headers)
            latencies[index].append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                raise SystemExit(f"{text!r}: HTTP {answer.status} {answer.body[:200]!r}")
        sender.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return [ms for batch in latencies for ms in batch], time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads of both servers")
    parser.add_argument(
        "--db", help="the bot's database URL (default: a new SQLite file); it must hold no cutover"
    )
    parser.add_argument(
        "--shared-read-ms",
        type=int,
        default=None,
        help="CUTOVER_SHARED_READ_MS of the bot (default: the bot's own default, 20)",
    )
    parser.add_argument(
        "--slack-delay",
        type=float,
        default=0.0,
        help="seconds the fake Slack takes per call once the servers are up (default 0)",
    )
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(args.bare_server, args.api_url, args.threads)
        return 0

    with fake_slack_process() as slack, tempfile.TemporaryDirectory() as tmp:
        RESPONSE_URLS[:] = [slack.response_urls]  # clicks answer the fake Slack, not hooks.slack.com
        db_url = args.db or f"sqlite:///{Path(tmp) / 'cutover.db'}"
        prepare_database(db_url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CUTOVER_", "DATABASE_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.url,
            DATABASE_URL=db_url,
            CUTOVER_CHANNEL="C0CUTOVER",
            CUTOVER_ALLOW_EXAMPLE_ROSTER="1",  # the bench's people are the example roster's
            PYTHONPATH=str(REPO),
        )
        if args.shared_read_ms is not None:
            env["CUTOVER_SHARED_READ_MS"] = str(args.shared_read_ms)
        bare_port, bot_port = free_port(), free_port()
        servers = [
            start_server(
                [
                    sys.executable,
                    __file__,
                    "--bare-server",
                    str(bare_port),
                    "--api-url",
                    slack.url,
                    "--threads",
                    str(args.threads),
                ],
                env,
                bare_port,
            ),
            start_server(
                [
                    sys.executable,
                    "-c",
                    CLI,
                    "serve",
                    "--http",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(bot_port),
                    "--threads",
                    str(args.threads),
                    "--log-level",
                    "WARNING",
                ],
                env,
                bot_port,
            ),
        ]
        try:
            slack.slow_all(args.slack_delay)
            rows = run_rows(args, f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{bot_port}")
        finally:
            for server in servers:
                server.terminate()
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:  # calls still waiting on a slow Slack: stop it hard
                    server.kill()
                    server.wait(5)
    return print_table(rows, args)


def run_rows(args: argparse.Namespace, bare_url: str, bot_url: str) -> list[tuple]:
    """Measure every target, one client then many."""
    targets = [
        ("bare Bolt app (ack only)", bare_url, "status"),
        ("/cutover status", bot_url, "status"),
        ("/cutover gate approve 1", bot_url, "gate approve 1"),
        ("button Approve Gate 1", bot_url, "button gate_approve 1"),
        ("button Abort (modal)", bot_url, "button abort"),
    ]
    for _, url, text in targets:  # warm up: imports, first auth.test, caches
        measure(url, text, 50, 1)
    rows = []
    for clients in (1, args.clients):
        for name, url, text in targets:
            latencies, wall = measure(url, text, args.requests, clients)
            rows.append(
                (
                    name,
                    clients,
                    percentile(latencies, 50),
                    percentile(latencies, 99),
                    max(latencies),
                    len(latencies) / wall,
                )
            )
    return rows


def print_table(rows: list[tuple], args: argparse.Namespace) -> int:
    """Print the figures and whether the target is met; exit 0 when it is."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    shared = "default 20" if args.shared_read_ms is None else args.shared_read_ms
    print(
        f"ack latency over HTTP on 127.0.0.1, {args.requests} signed requests per row, "
        f"{os.cpu_count()} CPUs (load average {load}), waitress {args.threads} threads, "
        f"{'PostgreSQL' if args.db and args.db.startswith('postgres') else 'SQLite file (WAL)'}, "
        f"CUTOVER_SHARED_READ_MS {shared}, Slack answers each call in {args.slack_delay:g} s"
    )
    print(
        f"{'target':<28}{'clients':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'req/s':>10}{'p99 / bare':>12}"
    )
    bare_p99 = {clients: p99 for name, clients, _, p99, _, _ in rows if name.startswith("bare")}
    met, all_fast = True, True
    for name, clients, p50, p99, worst, rate in rows:
        ratio = p99 / bare_p99[clients]
        print(f"{name:<28}{clients:>8}{p50:>10.2f}{p99:>10.2f}{worst:>10.2f}{rate:>10.0f}{ratio:>11.2f}x")
        if not name.startswith("bare"):
            all_fast = all_fast and worst < ACK_LIMIT_MS
            if clients == args.clients:
                met = met and ratio <= 2.0 and p99 < 50.0
    print(
        f"target at {args.clients} clients (p99 within 2x of the bare app and under 50 ms): "
        f"{'MET' if met else 'MISSED'}"
    )
    print(
        f"every request of the bot acked within {ACK_LIMIT_MS:g} ms (Slack taking {args.slack_delay:g} s a call): "
        f"{'MET' if all_fast else 'MISSED'}"
    )
    print("gate approve: the first request approves Gate 1; the rest are refused as already approved.")
    return 0 if met and all_fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
