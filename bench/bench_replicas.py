"""Three `serve --http` replicas on one PostgreSQL: ack latency spread over them, and leader take-over time.

    PYTHONPATH=. .venv/bin/python bench/bench_replicas.py [--db postgresql://...] [--requests 1500]

The database is CUTOVER_TEST_POSTGRES_URL unless --db names one (its tables are replaced). A cutover
is prepared with Gate 1 open (as bench_ack_latency.py does), then three replicas and a bare Bolt app
that only acks start as processes on 127.0.0.1 (waitress, 8 threads each, the same Bolt flags).
Ack latency: N signed /cutover requests from 8 concurrent clients, client i talking to replica i % 3,
beside the same 8 clients on the bare app (target: p99 <= 1.5x the bare app's). Take-over: the
leader (the replica whose /metrics says `cutover_leader 1`) is killed with SIGKILL, and the time
until another replica says it leads is measured; twice (target < 15 s).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_ack_latency import (  # noqa: E402
    CLI,
    RESPONSE_URLS,
    SECRET,
    TOKEN,
    free_port,
    measure_over,
    percentile,
    prepare_database,
)
from tests.support.fake_slack_api import FakeSlackApi  # noqa: E402
from tests.support.slack_http import SlackSender  # noqa: E402

REPLICAS = 3
TAKE_OVER_TARGET_S = 15.0
P99_TARGET = 1.5


def start_server(argv: list[str], env: dict[str, str], port: int, within: float = 180.0) -> subprocess.Popen:
    """Start a server process and wait until it accepts connections (start-up is slow on a busy machine)."""
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on port {port} did not start: {' '.join(argv)}")


def reset_database(url: str) -> None:
    """Empty the database (tables and schema revision) and prepare the cutover with Gate 1 open."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import storage.outbox  # noqa: F401  - its tables too
    from storage.db import create_db_engine

    engine = create_db_engine(url, prepare=False)
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    prepare_database(url)


def leader(ports: dict[int, subprocess.Popen], within: float) -> tuple[int | None, float]:
    """The port of the live replica that leads, and when it was seen (None if nobody leads in time)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for port, process in ports.items():
            if process.poll() is not None:
                continue
            try:
                sender = SlackSender(f"http://127.0.0.1:{port}", SECRET)
                body = sender.get("/metrics").body.decode()
                sender.close()
            except OSError:
                continue
            if "\ncutover_leader 1.0\n" in body:
                return port, time.monotonic()
        time.sleep(0.05)
    return None, time.monotonic()


def main() -> int:
    """Run the benchmark and print its figures; exit 0 when both targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CUTOVER_TEST_POSTGRES_URL"))
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not args.db or not args.db.startswith("postgres"):
        print("bench_replicas needs PostgreSQL: --db postgresql://... or CUTOVER_TEST_POSTGRES_URL")
        return 2
    reset_database(args.db)
    with FakeSlackApi() as slack:
        RESPONSE_URLS[:] = [slack.response_url("")]  # clicks' answers go to the fake Slack
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CUTOVER_", "DATABASE_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.url,
            DATABASE_URL=args.db,
            CUTOVER_CHANNEL="C0CUTOVER",
            CUTOVER_ALLOW_EXAMPLE_ROSTER="1",  # the bench's people are the example roster's
            PYTHONPATH=str(REPO),
        )
        bare_port = free_port()
        bare = start_server(
            [sys.executable, str(REPO / "bench" / "bench_ack_latency.py"), "--bare-server", str(bare_port)]
            + ["--api-url", slack.url, "--threads", str(args.threads)],
            env,
            bare_port,
        )
        replicas: dict[int, subprocess.Popen] = {}
        try:
            for _ in range(REPLICAS):
                port = free_port()
                serve = [
                    "serve",
                    "--http",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "WARNING",
                ]
                replicas[port] = start_server([sys.executable, "-c", CLI, *serve], env, port)
            rows = latency_rows(args, f"http://127.0.0.1:{bare_port}", list(replicas))
            take_overs = take_over_times(replicas)
        finally:  # no server outlives the benchmark, even when one did not start
            for process in [bare, *replicas.values()]:
                if process.poll() is None:
                    process.terminate()
                    process.wait(20)
    return report(args, rows, take_overs)


def latency_rows(args: argparse.Namespace, bare_url: str, ports: list[int]) -> list[tuple]:
    """(target, p50, p99, req/s) for the bare app and the bot spread over the replicas."""
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    targets = [
        ("bare Bolt app (ack only)", [bare_url], "status"),
        ("/cutover status", urls, "status"),
        ("/cutover gate approve 1", urls, "gate approve 1"),
    ]
    for _, target_urls, text in targets:  # warm up every process: imports, first auth.test, caches
        measure_over(target_urls, text, 30 * len(target_urls), len(target_urls))
    rows = []
    for name, target_urls, text in targets:
        latencies, wall = measure_over(target_urls, text, args.requests, args.clients)
        rows.append((name, percentile(latencies, 50), percentile(latencies, 99), len(latencies) / wall))
    return rows


def take_over_times(replicas: dict[int, subprocess.Popen]) -> list[float | None]:
    """Kill the leader with SIGKILL, twice; the seconds until another replica leads (None: nobody did)."""
    times: list[float | None] = []
    current, _ = leader(replicas, TAKE_OVER_TARGET_S)
    for _ in range(2):
        if current is None:
            times.append(None)
            break
        replicas[current].send_signal(signal.SIGKILL)
        replicas[current].wait(10)
        killed = time.monotonic()
        current, seen = leader(replicas, 2 * TAKE_OVER_TARGET_S)
        times.append(seen - killed if current is not None else None)
    return times


def report(args: argparse.Namespace, rows: list[tuple], take_overs: list[float | None]) -> int:
    """Print the figures and whether the targets are met."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{REPLICAS} replicas of serve --http on PostgreSQL, {args.clients} clients spread over them "
        f"(client i -> replica i % {REPLICAS}), {args.requests} signed requests per row, "
        f"{os.cpu_count()} CPUs (load average {load}), waitress {args.threads} threads per process"
    )
    print(f"{'target':<28}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}{'p99 / bare':>12}")
    bare_p99 = rows[0][2]
    ratios = []
    for name, p50, p99, rate in rows:
        ratio = p99 / bare_p99
        ratios.append(ratio)
        print(f"{name:<28}{p50:>10.2f}{p99:>10.2f}{rate:>10.0f}{ratio:>11.2f}x")
    latency_met = all(r <= P99_TARGET for r in ratios[1:])
    print(f"ack p99 target (<= {P99_TARGET}x the bare app): {'MET' if latency_met else 'MISSED'}")
    shown = ", ".join("none took over" if t is None else f"{t:.2f} s" for t in take_overs)
    take_over_met = len(take_overs) == 2 and all(t is not None and t < TAKE_OVER_TARGET_S for t in take_overs)
    print(
        f"leader take-over after SIGKILL: {shown} (target < {TAKE_OVER_TARGET_S:g} s): "
        f"{'MET' if take_over_met else 'MISSED'}"
    )
    return 0 if latency_met and take_over_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
