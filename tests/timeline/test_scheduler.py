"""The APScheduler alarm clock: one fixed job, armed at the next deadline from the log, rebuilt at start."""

from __future__ import annotations

import time
from datetime import timedelta

from bot.timeline.scheduler import JOB_ID, MAX_SLEEP, TimelineScheduler
from tests.timeline.conftest import WINDOW
from tests.timeline.harness import events
from tests.timeline.test_schedule import schedule_and_start


def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_the_alarm_is_set_at_the_next_deadline_and_fires_through_apscheduler(timed):
    schedule_and_start(timed)
    timed.advance(minutes=1)  # 02:01: the first status update is due at 02:02
    scheduler = TimelineScheduler(timed.services, "test-alarm")
    try:
        scheduler.start()
        assert wait_for(lambda: scheduler.armed_at == WINDOW + timedelta(minutes=2))
        jobs = scheduler._aps.get_jobs()
        assert [j.id for j in jobs] == [JOB_ID] and jobs[0].coalesce and jobs[0].misfire_grace_time == 3600
        timed.clock.set(WINDOW + timedelta(minutes=2))
        scheduler.arm(timed.clock.now())  # what the real clock reaching 02:02 would do
        assert wait_for(lambda: len(events(timed, "status.posted")) == 1)
        assert wait_for(lambda: scheduler.armed_at == WINDOW + timedelta(minutes=4))
    finally:
        scheduler.stop()


def test_start_up_fires_what_fell_due_while_down_once(timed):
    schedule_and_start(timed)
    timed.clock.set(WINDOW + timedelta(minutes=7))  # down since the start
    scheduler = TimelineScheduler(timed.services, "test-startup")
    try:
        scheduler.start()
        assert wait_for(lambda: len(events(timed, "status.posted")) == 1)
        assert events(timed, "status.posted")[0].event.key.endswith(":3")
        assert wait_for(lambda: scheduler.armed_at == WINDOW + timedelta(minutes=8))
    finally:
        scheduler.stop()
    assert len(events(timed, "status.posted")) == 1


def test_with_nothing_scheduled_the_alarm_still_looks_again_within_max_sleep(timed):
    scheduler = TimelineScheduler(timed.services, "test-idle")
    try:
        scheduler.start()
        assert wait_for(lambda: scheduler.armed_at == timed.clock.now() + MAX_SLEEP)
    finally:
        scheduler.stop()
