"""The cutover engine: given a state and a command, the events that follow, or a refusal.

Theory of operation
-------------------
A cutover is an append-only list of events (`cutover/events.py`); its state is the fold of
those events (`cutover/state.py`). The engine never changes state: each command method reads
the state and the runbook and returns the events to append, or raises `InvalidTransition` with
a sentence a person understands. The caller appends the events with the expected sequence
number (optimistic concurrency), then applies them. So a refused command changes nothing, two
people pressing "Approve" at once produce one approval, and replaying the log rebuilds the state.

The runbook groups phases into stages. Stage 0 opens when the cutover starts. A phase's steps
are done in order by their R role. When every step of the phases a gate follows is done, the
gate opens; its approvers approve it (Gate 5 needs one approval from each of its roles, by
different people). When every gate closing a stage is approved, the next stage opens; when the
last stage's gates are approved, the cutover has succeeded. A failed step or a rejected gate
calls for a rollback decision (`cutover/decisions.py` recommends one from the decision matrix);
the Incident Commander orders R1, R2 or R3, whose steps are then done in order; the cutover is
rolled back when they are all done, or the rollback failed when one fails. Pausing stops the
escalation clocks (`cutover/deadlines.py`), not the downtime.

Permissions are not checked here: `cutover/raci.py` decides who may run a command, before it
reaches the engine. The engine only needs the actor's roles where the role itself is recorded
(which approver role an approval counts for).
"""

from __future__ import annotations

from datetime import datetime

from cutover import events as ev
from cutover.errors import BadArguments, InvalidTransition
from cutover.plan.durations import format_duration
from cutover.plan.model import Gate, Phase, Runbook
from cutover.state import RUNNING, TERMINAL, UNDERWAY, CutoverState, GateStatus, Status, StepStatus

Events = list[ev.Event]


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
            raise InvalidTransition(
                f"the window start {window_start:%Y-%m-%d %H:%M} UTC is in the past (now {now:%Y-%m-%d %H:%M} UTC)"
            )
        scheduled = ev.WindowScheduled(window_start=window_start.isoformat(), timezone=timezone)
        if state is None or state.terminal:
            return [ev.CutoverPlanned(runbook_id=self.plan.id, title=self.plan.title), scheduled]
        if state.status not in (Status.PLANNED, Status.SCHEDULED, Status.GO, Status.NO_GO):
            raise InvalidTransition(f"the cutover is {_said(state.status)}; its window can no longer move")
        return [scheduled]

    def decide_go_nogo(self, state: CutoverState | None, decision: str, reason: str) -> Events:
        """Record the Incident Commander's GO or NO-GO."""
        state = _require(state)
        if decision not in ("go", "no-go"):
            raise BadArguments(f"the decision is go or no-go, not {decision!r}")
        if state.status not in (Status.SCHEDULED, Status.GO, Status.NO_GO):
            if state.status == Status.PLANNED:
                raise InvalidTransition("schedule the window first: /cutover schedule YYYY-MM-DD HH:MM")
            raise InvalidTransition(
                f"the cutover is {_said(state.status)}; go/no-go is decided before it starts"
            )
        return [ev.GoNoGoDecided(decision=decision, reason=reason)]

    def start(self, state: CutoverState | None) -> Events:
        """Start the cutover: Phase 0 opens."""
        state = _require(state)
        if state.status != Status.GO:
            hint = {
                Status.PLANNED: "schedule the window first",
                Status.SCHEDULED: "the Incident Commander records GO first (/cutover go-nogo go <reason>)",
                Status.NO_GO: "the last decision was NO-GO; record GO first",
            }.get(state.status, f"the cutover is {_said(state.status)}")
            raise InvalidTransition(f"cannot start: {hint}")
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
        self._check_running(state, f"start {step_id}")
        if state.paused:
            raise InvalidTransition(
                f"the cutover is paused ({state.pause_reason}); resume it before starting {step_id}"
            )
        run = state.step(step_id)
        if run.status == StepStatus.IN_PROGRESS:
            raise InvalidTransition(f"{step_id} is already in progress (started by <@{run.started_by}>)")
        if run.status == StepStatus.DONE:
            raise InvalidTransition(f"{step_id} is already done")
        self._check_step_ready(state, step_id)
        self._check_sibling_not_failed(state, step_id)
        return [ev.StepStarted(step_id=step_id, note=note)]

    def step_done(self, state: CutoverState | None, step_id: str, note: str = "") -> Events:
        """Mark an in-progress step done; open the gates and stages that follow."""
        state = _require(state)
        self._check_in_progress(state, step_id, "done")
        events: Events = [ev.StepDone(step_id=step_id, note=note)]
        if step_id in self.plan.rollback_steps_by_id:
            procedure = self.plan.rollbacks_by_id[state.rollback.procedure]
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
            events.append(ev.RollbackFailed(procedure=state.rollback.procedure, step_id=step_id))
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
            who = ", ".join(f"<@{a.actor}>" for a in run.approvals)
            raise InvalidTransition(f"Gate {number} is already approved (by {who})")
        approved_roles = {a.role for a in run.approvals}
        if any(a.actor == actor for a in run.approvals):
            missing = [r for r in gate.approvers if r not in approved_roles]
            raise InvalidTransition(
                f"you already approved Gate {number}; it still needs a different person as {', '.join(missing)}"
            )
        role = next((r for r in gate.approvers if r in actor_roles and r not in approved_roles), None)
        if role is None:
            raise InvalidTransition(f"Gate {number} already has the approval your role gives")
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
        if state.gate(number).status == GateStatus.APPROVED:
            raise InvalidTransition(f"Gate {number} is already approved; order a rollback instead")
        role = next((r for r in gate.approvers if r in actor_roles), gate.approvers[0])
        return [ev.GateRejected(gate=number, role=role, reason=reason)]

    # --- pause, rollback, abort, notes ---------------------------------------------------------

    def pause(self, state: CutoverState | None, reason: str) -> Events:
        """Pause: escalation clocks stop; the time still counts toward downtime."""
        state = _require(state)
        if state.status not in UNDERWAY:
            raise InvalidTransition(f"only a cutover under way can be paused; it is {_said(state.status)}")
        if state.paused:
            raise InvalidTransition(
                f"already paused since {state.paused_since:%H:%M:%S} UTC ({state.pause_reason})"
            )
        return [ev.Paused(reason=reason)]

    def resume(self, state: CutoverState | None) -> Events:
        """Resume a paused cutover."""
        state = _require(state)
        if not state.paused:
            raise InvalidTransition("the cutover is not paused")
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
            raise BadArguments(
                f"no rollback procedure {procedure!r}; the runbook has {', '.join(self.plan.rollbacks_by_id)}"
            )
        if state.status not in UNDERWAY:
            raise InvalidTransition(f"a rollback is ordered during the cutover; it is {_said(state.status)}")
        if state.status in RUNNING and not state.switching:
            raise InvalidTransition(
                "nothing has been switched yet, so there is nothing to roll back: abort "
                "(/cutover abort <reason>) or wait for green"
            )
        if state.status == Status.ROLLING_BACK and state.rollback and state.rollback.procedure == procedure:
            raise InvalidTransition(
                f"{procedure} is already in progress (ordered by <@{state.rollback.ordered_by}>)"
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
            raise InvalidTransition("no rollback has been ordered")
        if procedure and procedure != run.procedure:
            raise InvalidTransition(f"{procedure} is no longer the rollback ordered; {run.procedure} is")
        asked = self.plan.authority.rollback_approval.get(run.procedure, [])
        role = next((r for r in asked if r in actor_roles), None)
        if role is None:
            raise InvalidTransition(f"{run.procedure} does not ask your roles for an approval")
        said = next((v for v, who in run.verdicts if who.actor == actor), None)
        if said is not None:
            raise InvalidTransition(f"you already answered {run.procedure} ({said})")
        return [ev.RollbackApproval(procedure=run.procedure, verdict=verdict, role=role, note=note)]

    def rollback_confirm(
        self, state: CutoverState | None, which: str, actor_roles: list[str], note: str = ""
    ) -> Events:
        """Confirm post-rollback validation items (a number, or `all` those of your roles); the last completes it."""
        state = _require(state)
        run = state.rollback
        if run is None or state.status != Status.ROLLING_BACK or run.checklist_opened_at is None:
            raise InvalidTransition(
                "the post-rollback checklist opens when every step of the rollback is done"
            )
        procedure = self.plan.rollbacks_by_id[run.procedure]
        items = procedure.validation
        open_items = [n for n in range(1, len(items) + 1) if n not in run.confirmed]
        if which == "all":
            chosen = [n for n in open_items if items[n - 1].role in actor_roles]
            if not chosen:
                raise InvalidTransition(f"no open item of {procedure.id}'s checklist is for your roles")
        else:
            number = int(which) if which.isdigit() else 0
            if not 1 <= number <= len(items):
                raise BadArguments(f"{procedure.id}'s checklist has items 1-{len(items)}, not {which!r}")
            if number in run.confirmed:
                raise InvalidTransition(f"item {number} is already confirmed")
            if items[number - 1].role not in actor_roles:
                role = self.plan.roles.get(items[number - 1].role, items[number - 1].role)
                raise InvalidTransition(f"item {number} ({items[number - 1].item}) is confirmed by {role}")
            chosen = [number]
        events: Events = [
            ev.RollbackItemConfirmed(procedure=procedure.id, item=n, role=items[n - 1].role, note=note)
            for n in chosen
        ]
        if set(open_items) <= set(chosen):
            events.append(ev.RollbackCompleted(procedure=procedure.id))
        return events

    def abort(self, state: CutoverState | None, reason: str) -> Events:
        """Abort the cutover."""
        state = _require(state)
        if state.terminal:
            raise InvalidTransition(f"the cutover has already {_said(state.status)}")
        return [ev.CutoverAborted(reason=reason)]

    def note(self, state: CutoverState | None, category: str, text: str) -> Events:
        """Record an issue or a lesson learned (also after the end, for the report)."""
        state = _require(state)
        if category not in ("issue", "lesson"):
            raise BadArguments(f"a note is an issue or a lesson, not {category!r}")
        return [ev.NoteAdded(category=category, text=text)]

    # --- checks -------------------------------------------------------------------------------

    def _gate(self, number: int) -> Gate:
        gate = self.plan.gates_by_number.get(number)
        if gate is None:
            numbers = sorted(self.plan.gates_by_number)
            raise BadArguments(f"no Gate {number}; the runbook has Gates {numbers[0]}-{numbers[-1]}")
        return gate

    def _check_running(self, state: CutoverState, what: str) -> None:
        if state.status in RUNNING:
            return
        if state.status in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED):
            raise InvalidTransition(
                f"cannot {what}: rollback {state.rollback.procedure} is under way; only its steps can be run"
            )
        if state.status in TERMINAL:
            raise InvalidTransition(f"cannot {what}: the cutover has {_said(state.status)}")
        raise InvalidTransition(f"cannot {what}: the cutover has not started")

    def _check_step_ready(self, state: CutoverState, step_id: str) -> None:
        phase = self.plan.phase_of_step[step_id]
        if phase.stage not in state.stage_opened:
            waiting = [
                g.number
                for g in self.plan.gates
                if self.plan.phases_by_id[g.after[0]].stage < phase.stage
                and state.gate(g.number).status != GateStatus.APPROVED
            ]
            gates = ", ".join(f"Gate {n}" for n in waiting)
            raise InvalidTransition(f"Phase {phase.id} has not opened: it waits for {gates} to be approved")
        ids = [s.id for s in phase.steps]
        for earlier in ids[: ids.index(step_id)]:
            run = state.step(earlier)
            if run.status != StepStatus.DONE:
                raise InvalidTransition(f"{step_id} comes after {earlier}, which is {_said(run.status)}")

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
                raise InvalidTransition(
                    f'Phase {sibling.id} failed at {failed} and the runbook says "if either path fails, '
                    f'abort both": {step_id} is not started. Report where Phase '
                    f"{self.plan.phase_of_step[step_id].id} stands; the Incident Commander decides"
                )

    def _check_rollback_step_ready(self, state: CutoverState, step_id: str) -> None:
        if state.status not in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED) or state.rollback is None:
            raise InvalidTransition(f"{step_id} is a rollback step, and no rollback has been ordered")
        procedure = self.plan.rollbacks_by_id[state.rollback.procedure]
        ids = [s.id for s in procedure.steps]
        if step_id not in ids:
            raise InvalidTransition(
                f"{step_id} is not part of {procedure.id}, the rollback under way ({ids[0]}-{ids[-1]})"
            )
        run = state.step(step_id)
        if run.status in (StepStatus.IN_PROGRESS, StepStatus.DONE):
            raise InvalidTransition(f"{step_id} is already {_said(run.status)}")
        step = self.plan.rollback_steps_by_id[step_id]
        if step.parallel:
            return
        for earlier in procedure.steps[: ids.index(step_id)]:
            if not earlier.parallel and state.step(earlier.id).status != StepStatus.DONE:
                raise InvalidTransition(
                    f"{step_id} comes after {earlier.id}, which is {_said(state.step(earlier.id).status)}"
                )

    def _check_in_progress(self, state: CutoverState, step_id: str, outcome: str) -> None:
        is_rollback = step_id in self.plan.rollback_steps_by_id
        if is_rollback:
            if state.status not in (Status.ROLLING_BACK, Status.ROLLBACK_FAILED):
                raise InvalidTransition(f"{step_id} is a rollback step, and no rollback is under way")
        else:
            self._check_running(state, f"mark {step_id} {outcome}")
        run = state.step(step_id)
        if run.status != StepStatus.IN_PROGRESS:
            if run.status == StepStatus.PENDING:
                raise InvalidTransition(
                    f"{step_id} has not been started: /cutover step start {step_id} first"
                )
            raise InvalidTransition(f"{step_id} is already {_said(run.status)}")

    def _check_gate_decidable(self, state: CutoverState, gate: Gate, verb: str) -> None:
        self._check_running(state, f"{verb} Gate {gate.number}")
        if state.paused:
            raise InvalidTransition(
                f"the cutover is paused ({state.pause_reason}); resume it before you {verb} a gate"
            )
        if state.gate(gate.number).status == GateStatus.PENDING:
            undone = [
                s.id
                for p in gate.after
                for s in self.plan.phases_by_id[p].steps
                if state.step(s.id).status != StepStatus.DONE
            ]
            raise InvalidTransition(f"Gate {gate.number} is not open yet: {', '.join(undone)} not done")

    def _check_data_validation_not_failed(self, state: CutoverState, gate: Gate) -> None:
        """The gate after the last stage (Gate 5) stays shut while the latest data validation failed (issue 5)."""
        last_stage = self.plan.stages[-1][0].stage
        if (
            self.plan.phases_by_id[gate.after[0]].stage != last_stage
            or not state.integrity.validation_blocks_gate
        ):
            return
        failed = [
            f"{i['name']} ({i['reason']})"
            for i in state.integrity.validation["items"]
            if i["result"] != "pass"
        ]
        raise InvalidTransition(
            f"Gate {gate.number} is blocked: the data validation failed — {'; '.join(failed)}. Run `/cutover validate` "
            "again once resolved, or the Incident Commander records `/cutover validate override <reason>`"
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
        raise InvalidTransition("there is no cutover yet: /cutover schedule YYYY-MM-DD HH:MM to plan one")
    return state


def _said(status: str) -> str:
    """A status as words in a sentence: "rolled back", "in progress"."""
    return {
        "no_go": "held at NO-GO",
        "go": "cleared to GO but not started",
        "succeeded": "succeeded",
        "aborted": "been aborted",
        "rolled_back": "rolled back",
    }.get(str(status), str(status).replace("_", " "))


def describe_timeout(gate: Gate) -> str:
    """A gate's timeout as the runbook states it."""
    return gate.timeout_note or (format_duration(gate.timeout) if gate.timeout else "no timeout")
