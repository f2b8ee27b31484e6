"""The cutover engine: given a state and a command, the events that follow, or a refusal.

Theory of operation
-------------------
A cutover is an append-only list of events (`cutover/events.py`); its state is the fold of
those events (`cutover/state.py`). The engine never changes state: each command method reads
the state and the runbook and returns the events to append, or raises `InvalidTransition` with
a reason code and its data (templates/error/reason.j2 words it). The caller appends the events with the expected sequence
number (optimistic concurrency), then applies them. So a refused command changes nothing, two
people pressing "Approve" at once produce one approval, and replaying the log rebuilds the state.

The runbook groups phases into stages. Stage 0 opens when the cutover starts. A phase's steps
are done in order by their R role. When every step of the phases a gate follows is done, the
gate opens; its approvers approve it (Gate 5 needs one approval from each of its roles, by
different people). When every gate closing a stage is approved, the next stage opens; when the
last stage's gates are approved, the cutover has succeeded. A failed step or a rejected gate
calls for a rollback decision (`cutover/decisions.py` recommends one from the decision matrix);
the roles of `authority.rollback` order R1, R2 or R3, whose steps are then done in order; the cutover is
rolled back when they are all done, or the rollback failed when one fails. Pausing stops the
escalation clocks (`cutover/deadlines.py`), not the downtime.

Permissions are not checked here: `cutover/raci.py` decides who may run a command, before it
reaches the engine. The engine only needs the actor's roles where the role itself is recorded
(which approver role an approval counts for).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cutover import events as ev
from cutover.errors import BadArguments, InvalidTransition
from cutover.plan.model import Gate, Phase, RollbackProcedure, Runbook
from cutover.state import RUNNING, TERMINAL, UNDERWAY, CutoverState, GateStatus, Status, StepStatus

Events = list[ev.Event]


# a window is planned months ahead, not years: this bounds every date computed from it
FURTHEST_WINDOW = timedelta(days=366)


class Engine:
    """The rules of one runbook, as pure functions from (state, command) to events."""

    def __init__(self, plan: Runbook) -> None:
        self.plan = plan

    # --- before the cutover ---------------------------------------------------------------------

    def schedule(
        self, state: CutoverState | None, window_start: datetime, timezone: str, now: datetime
    ) -> Events:
        """Schedule (or move) the window of the cutover; a new cutover when there is none."""
        if window_start <= now:
            raise InvalidTransition.because("window_in_past", start=window_start, now=now)
        if window_start > now + FURTHEST_WINDOW:
            raise InvalidTransition.because("window_too_far", start=window_start, days=FURTHEST_WINDOW.days)
        scheduled = ev.WindowScheduled(window_start=window_start.isoformat(), timezone=timezone)
        if state is None or state.terminal:
            return [ev.CutoverPlanned(runbook_id=self.plan.id, title=self.plan.title), scheduled]
        if state.status not in (Status.PLANNED, Status.SCHEDULED, Status.GO, Status.NO_GO):
            raise InvalidTransition.because("window_fixed", status=str(state.status))
        return [scheduled]

    def decide_go_nogo(self, state: CutoverState | None, decision: str, reason: str) -> Events:
        """Record GO or NO-GO (by the roles of `authority.go_nogo`)."""
        state = _require(state)
        if decision not in ("go", "no-go"):
            raise BadArguments.because("decision_unknown", value=decision)
        if state.status not in (Status.SCHEDULED, Status.GO, Status.NO_GO):
            if state.status == Status.PLANNED:
                raise InvalidTransition.because("gonogo_unscheduled")
            raise InvalidTransition.because("gonogo_after_start", status=str(state.status))
        return [ev.GoNoGoDecided(decision=decision, reason=reason)]

    def start(self, state: CutoverState | None) -> Events:
        """Start the cutover: Phase 0 opens."""
        state = _require(state)
        if state.status != Status.GO:
            raise InvalidTransition.because(
                "start_not_go", status=str(state.status), commander=self.plan.duty_titles["go_nogo"]
            )
        return [
            ev.CutoverStarted(),
            ev.StageOpened(stage=self.plan.stages[0][0].stage, final=len(self.plan.stages) == 1),
        ]

    # --- steps --------------------------------------------------------------------------------

    def step_start(self, state: CutoverState | None, step_id: str, note: str = "") -> Events:
        """Start (or retry after a failure) a step of the plan or of the ordered rollback."""
        state = _require(state)
        if step_id in self.plan.rollback_steps_by_id:
            self._check_rollback_step_ready(state, step_id)
            return [ev.StepStarted(step_id=step_id, note=note)]
        self._check_running(state, {"act": "start", "step": step_id})
        if state.paused:
            raise InvalidTransition.because("paused_step", step=step_id, reason=state.pause_reason)
        run = state.step(step_id)
        if run.status == StepStatus.IN_PROGRESS:
            raise InvalidTransition.because("step_in_progress", step=step_id, by=run.started_by)
        if run.status == StepStatus.DONE:
            raise InvalidTransition.because("step_already", step=step_id, status=str(run.status))
        self._check_step_ready(state, step_id)
        self._check_sibling_not_failed(state, step_id)
        return [ev.StepStarted(step_id=step_id, note=note)]

    def step_done(self, state: CutoverState | None, step_id: str, note: str = "") -> Events:
        """Mark an in-progress step done; open the gates and stages that follow."""
        state = _require(state)
        self._check_in_progress(state, step_id, "done")
        events: Events = [ev.StepDone(step_id=step_id, note=note)]
        if step_id in self.plan.rollback_steps_by_id:
            procedure = self.plan.rollbacks_by_id[state.ordered_rollback.procedure]
            remaining = [
                s.id
                for s in procedure.steps
                if s.id != step_id and state.step(s.id).status != StepStatus.DONE
            ]
            if not remaining:  # the post-rollback checklist (seed 4.4) now, the completion after it
                events.append(ev.RollbackChecklistOpened(procedure=procedure.id))
            return events
        done = {sid for sid, run in state.steps.items() if run.status == StepStatus.DONE} | {step_id}
        for gate in self.plan.gates:
            phases = [self.plan.phases_by_id[p] for p in gate.after]
            if state.gate(gate.number).status != GateStatus.PENDING:
                continue
            if all(s.id in done for phase in phases for s in phase.steps) and any(
                step_id in {s.id for s in phase.steps} for phase in phases
            ):
                events.append(ev.GateOpened(gate=gate.number))
        return events

    def step_fail(self, state: CutoverState | None, step_id: str, note: str) -> Events:
        """Mark an in-progress step failed: a rollback decision is now needed (or the rollback failed)."""
        state = _require(state)
        self._check_in_progress(state, step_id, "failed")
        events: Events = [ev.StepFailed(step_id=step_id, note=note)]
        if step_id in self.plan.rollback_steps_by_id:
            events.append(ev.RollbackFailed(procedure=state.ordered_rollback.procedure, step_id=step_id))
            return events
        for sibling in self._siblings(step_id):
            if self._failed_step(state, sibling.id) or all(
                state.step(s.id).status == StepStatus.DONE for s in sibling.steps
            ):
                continue  # already stopped by an earlier failure, or nothing left to stop
            running = [s.id for s in sibling.steps if state.step(s.id).status == StepStatus.IN_PROGRESS]
            events.append(ev.PathStopped(phase=sibling.id, failed_step=step_id, running=running))
        return events

    # --- gates --------------------------------------------------------------------------------

    def gate_approve(
        self, state: CutoverState | None, number: int, actor: str, actor_roles: list[str], reason: str = ""
    ) -> Events:
        """Record an approval; when the gate is satisfied, open the next stage or declare success."""
        state = _require(state)
        gate = self._gate(number)
        self._check_gate_decidable(state, gate, "approve")
        self._check_data_validation_not_failed(state, gate)
        run = state.gate(number)
        if run.status == GateStatus.APPROVED:
            raise InvalidTransition.because(
                "gate_already_approved", gate=number, by=[a.actor for a in run.approvals]
            )
        approved_roles = {a.role for a in run.approvals}
        if any(a.actor == actor for a in run.approvals):
            missing = [r for r in gate.approvers if r not in approved_roles]
            raise InvalidTransition.because(
                "gate_approved_by_you", gate=number, missing=self.plan.titles(missing)
            )
        role = next((r for r in gate.approvers if r in actor_roles and r not in approved_roles), None)
        if role is None:
            raise InvalidTransition.because("gate_role_approved", gate=number)
        complete = gate.approval == "any" or approved_roles | {role} >= set(gate.approvers)
        events: Events = [ev.GateApproved(gate=number, role=role, reason=reason, complete=complete)]
        if complete:
            events.extend(self._after_gate_approved(state, gate))
        return events

    def gate_reject(
        self, state: CutoverState | None, number: int, actor_roles: list[str], reason: str
    ) -> Events:
        """Record a rejection: a rollback decision is now needed."""
        state = _require(state)
        gate = self._gate(number)
        self._check_gate_decidable(state, gate, "reject")
        run = state.gate(number)
        if run.status == GateStatus.APPROVED:
            raise InvalidTransition.because("gate_approved_reject", gate=number)
        if run.status == GateStatus.REJECTED and run.rejection is not None:  # one rejection per open gate
            raise InvalidTransition.because(
                "gate_already_rejected", gate=number, actor=run.rejection.actor, reason=run.rejection.reason
            )
        role = next((r for r in gate.approvers if r in actor_roles), gate.approvers[0])
        return [ev.GateRejected(gate=number, role=role, reason=reason)]

    # --- pause, rollback, abort, notes ---------------------------------------------------------

    def pause(self, state: CutoverState | None, reason: str) -> Events:
        """Pause: escalation clocks stop; the time still counts toward downtime."""
        state = _require(state)
        if state.status not in UNDERWAY:
            raise InvalidTransition.because("pause_not_underway", status=str(state.status))
        if state.paused:
            raise InvalidTransition.because(
                "already_paused", since=state.paused_since, reason=state.pause_reason
            )
        return [ev.Paused(reason=reason)]

    def resume(self, state: CutoverState | None) -> Events:
        """Resume a paused cutover."""
        state = _require(state)
        if not state.paused:
            raise InvalidTransition.because("not_paused")
        return [ev.Resumed()]

    def rollback(
        self,
        state: CutoverState | None,
        procedure: str,
        reason: str,
        recommended: str = "",
        rule: str = "",
    ) -> Events:
        """Order a rollback procedure (a running rollback may be replaced by another procedure)."""
        state = _require(state)
        if procedure not in self.plan.rollbacks_by_id:
            raise BadArguments.because(
                "rollback_unknown", procedure=procedure, known=list(self.plan.rollbacks_by_id)
            )
        if state.status not in UNDERWAY:
            raise InvalidTransition.because("rollback_not_underway", status=str(state.status))
        if state.status in RUNNING and not state.switching:
            raise InvalidTransition.because("nothing_switched")
        if state.status == Status.ROLLING_BACK and state.rollback and state.rollback.procedure == procedure:
            raise InvalidTransition.because(
                "rollback_in_progress", procedure=procedure, by=state.rollback.ordered_by
            )
        events: Events = [ev.Resumed()] if state.paused else []
        ordered = ev.RollbackOrdered(procedure=procedure, reason=reason, recommended=recommended, rule=rule)
        return [*events, ordered]

    def rollback_approval(
        self,
        state: CutoverState | None,
        verdict: str,
        actor: str,
        actor_roles: list[str],
        note: str,
        procedure: str = "",
    ) -> Events:
        """Record an approval of (or objection to) the rollback ordered; the rollback goes on either way."""
        state = _require(state)
        run = state.rollback
        if run is None or state.status not in (
            Status.ROLLING_BACK,
            Status.ROLLBACK_FAILED,
            Status.ROLLED_BACK,
        ):
            raise InvalidTransition.because("no_rollback_ordered")
        if procedure and procedure != run.procedure:
            raise InvalidTransition.because("rollback_replaced", procedure=procedure, current=run.procedure)
        asked = self.plan.authority.rollback_approval.get(run.procedure, [])
        role = next((r for r in asked if r in actor_roles), None)
        if role is None:
            raise InvalidTransition.because("rollback_approval_not_asked", procedure=run.procedure)
        said = next((v for v, who in run.verdicts if who.actor == actor), None)
        if said is not None:
            raise InvalidTransition.because(
                "rollback_already_answered", procedure=run.procedure, verdict=said
            )
        return [ev.RollbackApproval(procedure=run.procedure, verdict=verdict, role=role, note=note)]

    def rollback_confirm(
        self, state: CutoverState | None, which: str, actor_roles: list[str], note: str = ""
    ) -> Events:
        """Confirm post-rollback validation items (a number, or `all` those of your roles); the last completes it."""
        state = _require(state)
        run = state.rollback
        if run is None or state.status != Status.ROLLING_BACK or run.checklist_opened_at is None:
            raise InvalidTransition.because("rollback_checklist_closed")
        procedure = self.plan.rollbacks_by_id[run.procedure]
        items = procedure.validation
        open_items = [n for n in range(1, len(items) + 1) if n not in run.confirmed]
        if which == "all":
            chosen = [n for n in open_items if items[n - 1].role in actor_roles]
            if not chosen:
                raise InvalidTransition.because("rollback_checklist_not_yours", procedure=procedure.id)
        else:
            number = int(which) if which.isdigit() else 0
            if not 1 <= number <= len(items):
                raise BadArguments.because(
                    "rollback_checklist_item_unknown", procedure=procedure.id, last=len(items), value=which
                )
            if number in run.confirmed:
                raise InvalidTransition.because("rollback_item_confirmed", item=number)
            if items[number - 1].role not in actor_roles:
                role = self.plan.roles.get(items[number - 1].role, items[number - 1].role)
                raise InvalidTransition.because(
                    "rollback_item_not_yours", item=number, text=items[number - 1].item, role=role
                )
            chosen = [number]
        waiting = {n: why for n in chosen if (why := self._validation_pending(state, procedure, n))}
        if waiting and (which != "all" or set(waiting) == set(chosen)):
            n, why = next(iter(waiting.items()))
            raise InvalidTransition.because(
                "rollback_item_needs_validation", item=n, text=items[n - 1].item, **why
            )
        chosen = [n for n in chosen if n not in waiting]  # `all`: the others, the validated one stays open
        events: Events = [
            ev.RollbackItemConfirmed(procedure=procedure.id, item=n, role=items[n - 1].role, note=note)
            for n in chosen
        ]
        if set(open_items) <= set(chosen):
            events.append(ev.RollbackCompleted(procedure=procedure.id))
        return events

    def _validation_pending(
        self, state: CutoverState, procedure: RollbackProcedure, number: int
    ) -> dict[str, Any] | None:
        """Why a checklist item that needs the bot's data validation cannot be confirmed yet (None: it can).

        The validation must have run since the procedure's last validating step started (R2.6, R3.4)
        and passed, or been overridden with a reason after it failed. Without a baseline there is
        nothing to validate against (a bot without probes): the item is confirmed by its role alone."""
        if not procedure.validation[number - 1].needs_validation or state.integrity.baseline is None:
            return None
        starts = [
            run.started_at
            for s in procedure.steps
            if s.validates_data and (run := state.step(s.id)).started_at is not None
        ]
        integrity = state.integrity
        ran = integrity.validation_at
        if not starts or ran is None or ran < max(starts):
            return {"status": "not_run", "steps": [s.id for s in procedure.steps if s.validates_data]}
        if (
            integrity.validation
            and not integrity.validation["passed"]
            and integrity.validation_override is None
        ):
            failed = [i for i in integrity.validation["items"] if i["result"] != "pass"]
            return {"status": "failed", "failed": failed}
        return None

    def abort(self, state: CutoverState | None, reason: str) -> Events:
        """Abort the cutover."""
        state = _require(state)
        if state.terminal:
            raise InvalidTransition.because("already_ended", status=str(state.status))
        return [ev.CutoverAborted(reason=reason)]

    def note(self, state: CutoverState | None, category: str, text: str) -> Events:
        """Record an issue or a lesson learned (also after the end, for the report)."""
        state = _require(state)
        if category not in ("issue", "lesson"):
            raise BadArguments.because("note_category", value=category)
        return [ev.NoteAdded(category=category, text=text)]

    # --- checks -------------------------------------------------------------------------------

    def _gate(self, number: int) -> Gate:
        gate = self.plan.gates_by_number.get(number)
        if gate is None:
            numbers = sorted(self.plan.gates_by_number)
            raise BadArguments.because("gate_unknown", gate=number, first=numbers[0], last=numbers[-1])
        return gate

    def _check_running(self, state: CutoverState, doing: dict) -> None:
        """`doing` names the refused command for the sentence: {"act": "start", "step": "0.1"}."""
        if state.status in RUNNING:
            return
        if state.status in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED):
            raise InvalidTransition.because(
                "not_running_rollback", doing=doing, procedure=state.ordered_rollback.procedure
            )
        if state.status in TERMINAL:
            raise InvalidTransition.because("not_running_ended", doing=doing, status=str(state.status))
        raise InvalidTransition.because("not_running_unstarted", doing=doing)

    def _check_step_ready(self, state: CutoverState, step_id: str) -> None:
        phase = self.plan.phase_of_step[step_id]
        if phase.stage not in state.stage_opened:
            waiting = [
                g.number
                for g in self.plan.gates
                if self.plan.phases_by_id[g.after[0]].stage < phase.stage
                and state.gate(g.number).status != GateStatus.APPROVED
            ]
            raise InvalidTransition.because("phase_not_open", phase=phase.id, gates=waiting)
        ids = [s.id for s in phase.steps]
        for earlier in ids[: ids.index(step_id)]:
            run = state.step(earlier)
            if run.status != StepStatus.DONE:
                raise InvalidTransition.because(
                    "step_order", step=step_id, earlier=earlier, status=str(run.status)
                )

    def _siblings(self, step_id: str) -> list[Phase]:
        """The phases running side by side with this step's phase where seed 2.4 says "abort both"."""
        matrix, phase = self.plan.decision_matrix, self.plan.phase_of_step[step_id]
        if matrix is None or phase.stage != matrix.stage:
            return []
        return [p for p in self.plan.phases if p.stage == phase.stage and p.id != phase.id]

    def _failed_step(self, state: CutoverState, phase_id: str) -> str | None:
        phase = self.plan.phases_by_id[phase_id]
        return next((s.id for s in phase.steps if state.step(s.id).status == StepStatus.FAILED), None)

    def _check_sibling_not_failed(self, state: CutoverState, step_id: str) -> None:
        """A failed path stops its sibling: its unstarted steps are refused until the failure is retried."""
        for sibling in self._siblings(step_id):
            failed = self._failed_step(state, sibling.id)
            if failed:
                raise InvalidTransition.because(
                    "sibling_failed",
                    sibling=sibling.id,
                    failed=failed,
                    step=step_id,
                    phase=self.plan.phase_of_step[step_id].id,
                    commander=self.plan.duty_titles["go_nogo"],
                )

    def _check_rollback_step_ready(self, state: CutoverState, step_id: str) -> None:
        if state.status not in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED) or state.rollback is None:
            raise InvalidTransition.because("rollback_step_unordered", step=step_id)
        procedure = self.plan.rollbacks_by_id[state.rollback.procedure]
        ids = [s.id for s in procedure.steps]
        if step_id not in ids:
            raise InvalidTransition.because(
                "rollback_step_other", step=step_id, procedure=procedure.id, first=ids[0], last=ids[-1]
            )
        run = state.step(step_id)
        if run.status in (StepStatus.IN_PROGRESS, StepStatus.DONE):
            raise InvalidTransition.because("step_already", step=step_id, status=str(run.status))
        step = self.plan.rollback_steps_by_id[step_id]
        if step.parallel:
            return
        for earlier in procedure.steps[: ids.index(step_id)]:
            if not earlier.parallel and state.step(earlier.id).status != StepStatus.DONE:
                raise InvalidTransition.because(
                    "step_order", step=step_id, earlier=earlier.id, status=str(state.step(earlier.id).status)
                )

    def _check_in_progress(self, state: CutoverState, step_id: str, outcome: str) -> None:
        is_rollback = step_id in self.plan.rollback_steps_by_id
        if is_rollback:
            if state.status not in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED):
                raise InvalidTransition.because("rollback_step_not_underway", step=step_id)
        else:
            self._check_running(state, {"act": "mark", "step": step_id, "outcome": outcome})
        run = state.step(step_id)
        if run.status != StepStatus.IN_PROGRESS:
            if run.status == StepStatus.PENDING:
                raise InvalidTransition.because("step_not_started", step=step_id)
            raise InvalidTransition.because("step_already", step=step_id, status=str(run.status))

    def _check_gate_decidable(self, state: CutoverState, gate: Gate, verb: str) -> None:
        self._check_running(state, {"act": verb, "gate": gate.number})
        if state.paused:
            raise InvalidTransition.because("paused_gate", verb=verb, reason=state.pause_reason)
        if state.gate(gate.number).status == GateStatus.PENDING:
            undone = [
                s.id
                for p in gate.after
                for s in self.plan.phases_by_id[p].steps
                if state.step(s.id).status != StepStatus.DONE
            ]
            raise InvalidTransition.because("gate_not_open", gate=gate.number, undone=undone)

    def _check_data_validation_not_failed(self, state: CutoverState, gate: Gate) -> None:
        """The gates closing the last stage (Gate 5) stay shut while the latest data validation failed."""
        validation = state.integrity.validation
        if (
            gate not in self.plan.final_gates
            or validation is None
            or not state.integrity.validation_blocks_gate
        ):
            return
        raise InvalidTransition.because(
            "gate_blocked_by_validation",
            gate=gate.number,
            failed=[i for i in validation["items"] if i["result"] != "pass"],
            commander=self.plan.duty_titles["go_nogo"],
        )

    def _after_gate_approved(self, state: CutoverState, gate: Gate) -> Events:
        stage = self.plan.phases_by_id[gate.after[0]].stage
        closing = self.plan.gates_after_stage(stage)
        others_approved = all(
            state.gate(g.number).status == GateStatus.APPROVED for g in closing if g.number != gate.number
        )
        if not others_approved:
            return []
        later = [s[0].stage for s in self.plan.stages if s[0].stage > stage]
        if later:
            return [ev.StageOpened(stage=later[0], final=len(later) == 1)]
        return [ev.CutoverSucceeded()]


def _require(state: CutoverState | None) -> CutoverState:
    if state is None or state.seq == 0:
        raise InvalidTransition.because("no_cutover")
    return state
