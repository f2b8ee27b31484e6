"""Running the integrity work off the ack path, and when it falls due.

`IntegrityJobs.request(job, cutover_id, actor)` runs a job in a small thread pool (or inline for
tests and rehearsals); requests for a checklist already queued are coalesced. `on_recorded` is a
listener: a confirmation, a new window or a comms acknowledgement re-evaluates the checklist, and
starting the data-consistency step (3.2) runs the validation. The time-driven
sources (checklist every 30 min from T-24h, baseline at T-1h, reconciliation at completion + 24 h)
are in `bot/integrity/schedule.py`.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.integrity import ops
from commands.context import Services
from cutover.events import Recorded, StepStarted, WindowScheduled, kind_of
from cutover.integrity.events import GoNoGoConfirmed
from cutover.integrity.roles import data_step_id
from cutover.state import CutoverState, Status
from storage.db import single_connection

log = logging.getLogger(__name__)
JOBS = ("checklist", "baseline", "validate", "reconcile")
BEFORE_START = (Status.SCHEDULED, Status.GO, Status.NO_GO)
RECHECK_KINDS = frozenset({"comm.sent", "comm.acknowledged", "rehearsal.recorded"})


class IntegrityJobs:
    """Runs checklist / baseline / validate / reconcile jobs in the background (or inline)."""

    def __init__(
        self, services: Services, *, archive: Any = None, inline: bool = False, workers: int = 2
    ) -> None:
        self.services, self.archive, self.inline = services, archive, inline
        self._pool = (
            None if inline else ThreadPoolExecutor(max_workers=workers, thread_name_prefix="integrity")
        )
        self._queued: set[tuple[str, str]] = set()
        self._futures: list[Future] = []
        self._lock = threading.Lock()

    def request(self, job: str, cutover_id: str, actor: str = ops.BOT, key: str | None = None) -> None:
        """Run a job soon; a checklist already queued for this cutover is not queued twice."""
        if job not in JOBS:
            raise ValueError(f"unknown integrity job {job!r}")
        with self._lock:
            if job == "checklist" and key is None and (job, cutover_id) in self._queued:
                return
            self._queued.add((job, cutover_id))
        if self._pool is None:
            self._run(job, cutover_id, actor, key)
            return
        future = self._pool.submit(self._run, job, cutover_id, actor, key)
        with self._lock:
            self._futures = [f for f in self._futures if not f.done()] + [future]

    def run_now(self, job: str, cutover_id: str, actor: str = ops.BOT, key: str | None = None) -> Any:
        """Run a job in this thread and return its result (the scheduler's and rehearsals' path)."""
        with self._lock:
            self._queued.add((job, cutover_id))
        return self._run(job, cutover_id, actor, key)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait until every queued job has finished (tests, shutdown)."""
        with self._lock:
            futures = list(self._futures)
        for future in futures:
            future.result(timeout=timeout)

    def close(self) -> None:
        """Stop the pool after the running jobs."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _run(self, job: str, cutover_id: str, actor: str, key: str | None) -> Any:
        with self._lock:
            self._queued.discard((job, cutover_id))
        try:
            if job == "checklist":
                return ops.evaluate_checklist(self.services, cutover_id, actor, key)
            if job == "baseline":
                return ops.capture_baseline(self.services, cutover_id, actor, key, self.archive)
            if job == "validate":
                return ops.run_validation(self.services, cutover_id, actor, key)
            return ops.run_reconciliation(self.services, cutover_id, actor, key)
        except Exception:  # noqa: BLE001 - a background job's failure is logged; the next run tries again
            log.exception("integrity job %s for %s failed", job, cutover_id)
            return None


def jobs_of(services: Services) -> IntegrityJobs | None:
    """The integrity jobs wired into these services, if any."""
    return services.integrity if isinstance(services.integrity, IntegrityJobs) else None


def on_recorded(services: Services, state: CutoverState, recorded: list[Recorded]) -> None:
    """Listener: re-evaluate the checklist when its log facts change; validate when step 3.2 (or R2.6) starts."""
    jobs = jobs_of(services)
    if jobs is None:
        return
    step = data_step_id(services.plan)
    for r in recorded:
        if isinstance(r.event, GoNoGoConfirmed | WindowScheduled) or kind_of(r.event) in RECHECK_KINDS:
            if state.status in BEFORE_START:
                jobs.request("checklist", state.cutover_id)
        elif (
            isinstance(r.event, StepStarted) and services.probes is not None and _validates(services, r, step)
        ):
            key = f"validate:step:{getattr(r.event, 'step_id', '')}:{state.cutover_id}:{r.seq}"
            jobs.request("validate", state.cutover_id, key=key)


def _validates(services: Services, r: Recorded, data_step: str | None) -> bool:
    """Step 3.2, or a rollback step the runbook marks `validates_data` (R2.6: the restored region)."""
    step_id = getattr(r.event, "step_id", "")
    rollback_step = services.plan.rollback_steps_by_id.get(step_id)
    return step_id == data_step or (rollback_step is not None and rollback_step.validates_data)


def wire(
    services: Services, *, probes: Any = None, archive: Any = None, inline: bool = False
) -> IntegrityJobs:
    """Install the probes, the integrity jobs and their listener in the services."""
    if probes is not None:
        services.probes = probes
    jobs = IntegrityJobs(services, archive=archive, inline=inline or single_connection(services.ledger.db))
    services.integrity = jobs
    services.listeners.append(on_recorded)
    return jobs
