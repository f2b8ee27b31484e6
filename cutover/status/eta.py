"""When the cutover should be over: the plan's critical path, and the estimate from the progress so far.

A phase is expected to take its `target` (or, without one, the sum of its step timeouts); phases of
one stage run concurrently, so a stage takes as long as its longest phase, and the cutover as long
as its stages one after the other. Once it runs, a phase still has the timeouts of its pending
steps ahead of it plus what is left of the step in progress; a rollback has its remaining steps'
durations (parallel steps excluded, as in its RTO). Paused time is not counted as progress.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cutover.plan.model import Phase, Runbook
from cutover.state import CutoverState, RollbackRun, Status, StepStatus

ZERO = timedelta()


def phase_estimate(phase: Phase) -> timedelta:
    """How long the plan expects a phase to take: its target, else its steps' timeouts added up."""
    return phase.target or sum((s.timeout for s in phase.steps), ZERO)


def critical_path(plan: Runbook) -> timedelta:
    """The plan's own estimate of a whole cutover: the longest phase of each stage, stage after stage."""
    return sum((max(phase_estimate(p) for p in stage) for stage in plan.stages), ZERO)


def _phase_remaining(state: CutoverState, phase: Phase, now: datetime) -> timedelta:
    runs = [state.step(s.id) for s in phase.steps]
    if all(r.status == StepStatus.PENDING for r in runs):
        return phase_estimate(phase)
    left = ZERO
    for step, run in zip(phase.steps, runs, strict=True):
        if run.status == StepStatus.PENDING:
            left += step.timeout
        elif run.status in (StepStatus.IN_PROGRESS, StepStatus.FAILED) and run.started_at:
            spent = now - run.started_at - state.paused_between(run.started_at, now)
            left += max(step.timeout - spent, ZERO)
    return left


def _rollback_remaining(state: CutoverState, ordered: RollbackRun, plan: Runbook, now: datetime) -> timedelta:
    procedure = plan.rollbacks_by_id[ordered.procedure]
    left = ZERO
    for step in procedure.steps:
        run = state.step(step.id)
        if step.parallel or run.status == StepStatus.DONE:
            continue
        if run.status == StepStatus.IN_PROGRESS and run.started_at:
            left += max(step.duration - (now - run.started_at), ZERO)
        else:
            left += step.duration
    return left


def remaining(state: CutoverState, plan: Runbook, now: datetime) -> timedelta | None:
    """The time still expected before the cutover (or its rollback) ends; None once it has ended."""
    if state.terminal or state.status == Status.ROLLBACK_FAILED:
        return None
    if state.status == Status.ROLLING_BACK and state.rollback:
        return _rollback_remaining(state, state.rollback, plan, now)
    if state.started_at is None:
        return critical_path(plan)
    left = ZERO
    for stage in plan.stages:
        left += max(_phase_remaining(state, phase, now) for phase in stage)
    return left


def estimated_completion(state: CutoverState, plan: Runbook, now: datetime) -> datetime | None:
    """When the cutover should be over: the end when it ended, None while nobody can say (rollback failed).

    Before the start it is the window plus the critical path (or now plus it, once the window has passed).
    """
    if state.terminal:
        return state.ended_at
    left = remaining(state, plan, now)
    if left is None:
        return None
    if state.started_at is None:
        start = state.window_start if state.window_start and state.window_start > now else now
        return start + left
    return now + left
