"""Which steps and gates are overdue at a time t, and when the next one falls due.

Deadlines come from the log alone (start times, timeouts, pauses), so they survive restarts.
A paused cutover's escalation clocks stop: paused time is added to every deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cutover.plan.model import Runbook
from cutover.state import RUNNING, CutoverState, GateStatus, Status, StepStatus


@dataclass(frozen=True)
class Deadline:
    """A step or gate and the moment it becomes overdue."""

    kind: str  # "step" or "gate"
    ref: str  # step id, or gate number as text
    started: datetime
    timeout: timedelta
    due: datetime

    def late_by(self, t: datetime) -> timedelta:
        """How far past its deadline it is at t (zero or negative when not yet due)."""
        return t - self.due


def deadlines(state: CutoverState, plan: Runbook, t: datetime) -> list[Deadline]:
    """Every running step and open-stage gate with a timeout, with its deadline as of t."""
    found: list[Deadline] = []
    if state.status not in RUNNING and state.status not in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED):
        return found
    rolling_back = state.status in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED)
    for step_id, run in state.steps.items():
        if run.status != StepStatus.IN_PROGRESS or run.started_at is None:
            continue
        if rolling_back and step_id not in plan.rollback_steps_by_id:
            continue  # a plan step left in progress when the rollback began is abandoned, not late
        step = plan.steps_by_id.get(step_id)
        timeout = step.timeout if step else plan.rollback_steps_by_id[step_id].duration
        if timeout <= timedelta():
            continue
        due = run.started_at + timeout + state.paused_between(run.started_at, t)
        found.append(Deadline("step", step_id, run.started_at, timeout, due))
    if state.status in RUNNING:
        for gate in plan.gates:
            stage = plan.phases_by_id[gate.after[0]].stage
            opened = state.stage_opened.get(stage)
            if (
                gate.timeout is None
                or opened is None
                or state.gate(gate.number).status == GateStatus.APPROVED
            ):
                continue
            due = opened + gate.timeout + state.paused_between(opened, t)
            found.append(Deadline("gate", str(gate.number), opened, gate.timeout, due))
    return found


def overdue(state: CutoverState, plan: Runbook, t: datetime) -> list[Deadline]:
    """The steps and gates past their timeout at t (none while paused: the clocks are stopped)."""
    if state.paused:
        return []
    return [d for d in deadlines(state, plan, t) if d.due <= t]


def next_deadline(state: CutoverState, plan: Runbook, t: datetime) -> datetime | None:
    """The earliest deadline still ahead of t, for the scheduler's alarm clock."""
    if state.paused:
        return None
    ahead = [d.due for d in deadlines(state, plan, t) if d.due > t]
    return min(ahead, default=None)
