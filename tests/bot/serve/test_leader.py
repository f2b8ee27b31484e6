"""Leader election over a PostgreSQL advisory lock: one leader, a quick take-over, a clean step-down."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from bot.serve.leader import Leadership
from storage.db import create_db_engine
from tests.conftest import postgres_url

pytestmark = pytest.mark.postgres
KEY = 0x7465737401  # not the bot's own lock: a serve elsewhere on this database is not disturbed


class Workers:
    """What `on_elected` starts: records each term's start and stop."""

    def __init__(self, fail: bool = False) -> None:
        self.started = self.stopped = 0
        self.fail = fail

    def start(self):
        if self.fail:
            raise RuntimeError("the scheduler could not start")
        self.started += 1
        return self.stop

    def stop(self) -> None:
        self.stopped += 1


@pytest.fixture
def database():
    engine = create_db_engine(postgres_url())
    yield engine
    engine.dispose()


def eventually(check, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def candidate(database, workers: Workers) -> Leadership:
    return Leadership(database, workers.start, check_every=0.05, lock_key=KEY)


def test_one_leader_at_a_time_and_the_next_takes_over_when_it_stops(database):
    first_workers, second_workers = Workers(), Workers()
    first = candidate(database, first_workers).start()
    second = candidate(database, second_workers).start()
    try:
        assert first.leading and not second.leading
        time.sleep(0.3)  # several campaigns by the second: still one leader
        assert first.leading and not second.leading and second_workers.started == 0
        first.stop()
        assert (first_workers.started, first_workers.stopped) == (1, 1)
        assert eventually(lambda: second.leading, within=2.0)
        assert second_workers.started == 1
    finally:
        first.stop()
        second.stop()
    assert second_workers.stopped == 1


def test_a_leader_whose_session_is_dropped_stops_its_workers_and_another_leads(database):
    first_workers, second_workers = Workers(), Workers()
    first = candidate(database, first_workers).start()
    second = candidate(database, second_workers).start()
    try:
        assert first.leading
        with database.connect() as connection:  # the database drops the leader's session (a failover, a DBA)
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": KEY},
            )
        assert eventually(lambda: first_workers.stopped == 1, within=2.0)  # stepped down at its next check
        assert eventually(lambda: first.leading != second.leading, within=2.0)  # and one of them leads again
    finally:
        first.stop()
        second.stop()
    assert first_workers.started - first_workers.stopped == 0
    assert second_workers.started - second_workers.stopped == 0


def test_a_leader_whose_workers_cannot_start_lets_the_lock_go(database):
    failing = candidate(database, Workers(fail=True)).start()
    healthy_workers = Workers()
    healthy = candidate(database, healthy_workers).start()
    try:
        assert not failing.leading
        assert eventually(lambda: healthy.leading or failing.leading, within=2.0)
        assert healthy.leading
    finally:
        failing.stop()
        healthy.stop()
