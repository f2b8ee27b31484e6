"""A rehearsal: a whole cutover played through the real Bolt app on a virtual clock.

The roster's people do their steps (each as the step's R role), approvers approve gates with the
gate buttons, the Incident Commander decides; concurrent phases run side by side (a small
discrete-event simulation); the simulated platform changes as steps are done and validation
steps read it back; the scheduler's time-driven work (status, comms, escalations) fires as the
virtual clock moves. What Slack would show is echoed compactly; everything is kept for the report.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.probes.fakes import FakeInfrastructure
from bot.rehearsal.durations import StepDurations
from bot.rehearsal.platform import SimulatedPlatform
from bot.rehearsal.scenarios import Scenario
from bot.slack.session import SlackSession
from cutover.decisions import recommend
from cutover.plan.model import Phase, Runbook
from cutover.roster import Roster
from cutover.state import CutoverState
from templates.render import render


@dataclass
class RehearsalResult:
    """What happened, in virtual time."""

    scenario: str
    state: CutoverState
    failure: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """The cutover's final status."""
        return self.state.status.value

    @property
    def rollback(self) -> str | None:
        """The rollback procedure that ran, if any."""
        return self.state.rollback.procedure if self.state.rollback else None

    def summary(self) -> str:
        """The last line: outcome and the time it would have taken in real time."""
        s, rollback = self.state, self.state.rollback
        cut_end = rollback.ordered_at if rollback else s.ended_at
        return render(
            "cli/rehearsal_summary.j2",
            scenario=self.scenario,
            outcome=self.outcome,
            cutover=cut_end - s.started_at if s.started_at and cut_end else None,
            rollback=rollback.procedure if rollback else None,
            rollback_took=rollback.ended_at - rollback.ordered_at if rollback and rollback.ended_at else None,
            downtime=s.ended_at - s.started_at if s.started_at and s.ended_at else None,
        )


class Rehearsal:
    """Plays one scenario of a runbook with a roster, writing its database under out_dir."""

    def __init__(
        self,
        plan: Runbook,
        roster: Roster,
        scenario: Scenario,
        *,
        out_dir: Path,
        start: datetime,
        echo: Callable[[str], None] | None = None,
        wait: Callable[[timedelta], None] | None = None,
        seed: int = 1,
    ) -> None:
        self.plan, self.roster, self.scenario = plan, roster, scenario
        self.durations = StepDurations(seed)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = out_dir / "rehearsal.db"
        self.db_path.unlink(missing_ok=True)
        self.infra = FakeInfrastructure.for_plan(plan) if plan.data_checks else FakeInfrastructure()
        self.platform = SimulatedPlatform(plan, self.infra)
        self.session = SlackSession(  # the integrity jobs (checklist, baseline) read the simulated platform
            plan=plan,
            roster=roster,
            start=start,
            database_url=f"sqlite:///{self.db_path}",
            probes=self.platform.probes,
        )
        self.session.services.rehearsal = scenario.name  # `schedule` marks the cutover as a rehearsal
        self.echo = echo or (lambda line: None)
        self.pause = wait or (lambda delta: None)
        self.lines: list[str] = []
        self._shown = 0
        self._baseline_data: dict[str, Any] | None = None

    # --- people and time ----------------------------------------------------------------------

    def who(self, role: str) -> str:
        """The on-call member of a role."""
        return self.roster.on_call_for(role)[0].slack_id

    def say(self, user: str, text: str) -> dict:
        """A person types a /cutover command."""
        reply = self.session.command(user, text)
        self._show()
        return reply

    def wait(self, delta: timedelta) -> None:
        """Let virtual time pass (everything due fires on the way)."""
        if delta > timedelta():
            self.pause(delta)
            self.session.advance_to(self.session.clock.now() + delta)
            self._show()

    def wait_until(self, moment: datetime) -> None:
        """Let virtual time pass until a moment."""
        self.wait(moment - self.session.clock.now())

    @property
    def state(self) -> CutoverState:
        """The cutover's state now (the rehearsal schedules it first)."""
        state = self.session.services.ledger.current()
        if state is None:
            raise RuntimeError("the rehearsal has no cutover yet")
        return state

    # --- the play -----------------------------------------------------------------------------

    def run(self) -> RehearsalResult:
        """Play the whole cutover; return what happened."""
        ic = self.who("incident_commander")
        self._prepare(ic)
        self.say(ic, "start")
        failure = None
        for stage in self.plan.stages:
            failure = self._run_stage(stage)
            if failure:
                break
            self._approve_gates(stage[0].stage)
        if failure:
            self._decide(ic, failure)
        self._wrap_up(ic, failure)
        return RehearsalResult(self.scenario.name, self.state, failure, self.lines)

    def _prepare(self, ic: str) -> None:
        """Schedule a window 8 days out, let the communications go, take the go/no-go decision."""
        now = self.session.clock.now()
        window = (now + timedelta(days=8)).replace(hour=2, minute=0, second=0, microsecond=0)
        self.say(ic, f"schedule {window:%Y-%m-%d %H:%M} UTC")  # marked as a rehearsal with the schedule
        for before in (timedelta(days=7), timedelta(hours=24)):  # stakeholders acknowledge T-7d and T-24h
            self.wait_until(window - before + timedelta(minutes=10))
            self.session.click(self.who("management"), "comm_ack")
            self._show()
        self.wait_until(window - timedelta(hours=1, minutes=5))
        self._baseline_data = self.infra.snapshot()
        self.wait_until(window - timedelta(minutes=30))
        self._confirm_readiness(ic)
        self.wait_until(window - timedelta(minutes=5))
        reply = self.say(ic, "go-nogo go rehearsal: readiness green, team on the bridge")
        if self.state.decision != "go":  # a first drill cannot show earlier drills: the override path
            self.say(ic, "go-nogo override rehearsal: rollback procedures are drilled by this very run")
            self.say(self.who("management"), "go-nogo approve-override rehearsal approved")
            reply = self.say(ic, "go-nogo go rehearsal, override approved")
        if self.state.decision != "go":
            raise RuntimeError(f"the rehearsal could not get a GO: {reply.get('text', '')}")
        self.wait_until(window)

    def _confirm_readiness(self, ic: str) -> None:
        """The on-call people confirm standby; the IC the incident response team and the dependencies."""
        business = self.plan.business
        if business is None:
            return
        people = dict.fromkeys(self.who(role) for role in business.required_roles)
        for person in people:
            self.say(person, "go-nogo confirm standby on the bridge")
        self.say(ic, "go-nogo confirm incident_response team on standby")
        for dependency in business.external_dependencies:
            if dependency.health_url is None:
                self.say(ic, f"go-nogo confirm {dependency.key} confirmed with the vendor")
        self.say(ic, "go-nogo")

    def _duration(self, phase: Phase, step_id: str) -> timedelta:
        step = self.plan.steps_by_id[step_id]
        fault = self.scenario.fault
        if fault is not None and fault.kind == "slow" and fault.step == step_id:
            return step.timeout * self.scenario.slow_by
        return self.durations.forward(step.timeout, readiness=phase.stage == 0)

    def _run_stage(self, phases: list[Phase]) -> str | None:
        """The stage's phases side by side; return the failure that stopped it, if any."""
        queue: list[tuple[datetime, int, str, Phase, int]] = []
        now = self.session.clock.now()
        fault = self.scenario.fault
        if fault is not None and any(fault.step in {s.id for s in p.steps} for p in phases):
            self.platform.inject(fault)  # in place before the stage's first step, injected once
        for order, phase in enumerate(phases):
            heapq.heappush(queue, (now, order, "start", phase, 0))
        while queue:
            at, order, action, phase, index = heapq.heappop(queue)
            self.wait_until(at)
            step = phase.steps[index]
            person = self.who(step.raci.R[0])
            if action == "start":
                self.say(person, f"step start {step.id}")
                heapq.heappush(queue, (at + self._duration(phase, step.id), order, "finish", phase, index))
                continue
            self.platform.do(step.id)
            is_data_step = self.plan.data_step is not None and step.id == self.plan.data_step.id
            problem = self._data_check() if is_data_step else self.platform.failure(step.id)
            if problem:
                self.say(person, f"step fail {step.id} {problem}")
                if self.scenario.decision != "fix":
                    return f"{step.id}: {problem}"
                self.say(self.who("engineering_lead"), f"note issue {step.id} failed: {problem}")
                self.platform.repair(step.id)
                heapq.heappush(
                    queue, (at + timedelta(minutes=1), order, "start", phase, index)
                )  # inside the decision timeout
                continue
            self.say(person, f"step done {step.id}")
            if index + 1 < len(phase.steps):
                heapq.heappush(queue, (at + timedelta(seconds=15), order, "start", phase, index + 1))
        return None

    def _data_check(self) -> str | None:
        """Step 3.2: the bot's own validation, and the simulated data compared with the T-1h snapshot."""
        self.say(self.who("database_admin"), "validate")
        before: dict[str, Any] = self._baseline_data or {}
        after = self.infra.snapshot()
        west = self.plan.to_region
        for name, stats in after["documentdb"].get(west, {}).items():
            was = before.get("documentdb", {}).get(west, {}).get(name, {}).get("count")
            if was is not None and stats["count"] < was:
                return f"{name} lost {was - stats['count']} documents in {west} (data corruption)"
        return None

    def _approve_gates(self, stage: int) -> None:
        """Each gate closing the stage, approved by its approvers with the gate buttons."""
        for gate in self.plan.gates_after_stage(stage):
            self.wait(timedelta(seconds=30))
            for role in gate.approvers if gate.approval == "all" else gate.approvers[:1]:
                self.session.click(self.who(role), "gate_approve", [str(gate.number)])
                self._show()

    def _decide(self, ic: str, failure: str) -> None:
        """Failure detected: the IC reads the bot's recommendation (`/cutover status`) and orders that rollback."""
        self.wait(timedelta(minutes=1))
        self.say(ic, "status")
        advice = recommend(self.state, self.plan)
        procedure = advice.rollback or self.plan.escalations.default_rollback
        orderer = (
            ic
            if ic
            in {
                m.slack_id for r in self.plan.authority.rollback[procedure] for m in self.roster.members_of(r)
            }
            else self.who("management")
        )
        self.say(orderer, f"rollback {procedure} {failure}")
        rollback = self.plan.rollbacks_by_id[procedure]
        for step in [s for s in rollback.steps if s.parallel] + [s for s in rollback.steps if not s.parallel]:
            person = self.who(step.raci.R[0])
            self.say(person, f"step start {step.id}")
            # around the seed's estimate for the step: the procedure's RTO can be missed
            self.wait(self.durations.rollback(step.duration))
            self.platform.do(step.id)
            problem = self.platform.failure(step.id)
            self.say(person, f"step fail {step.id} {problem}" if problem else f"step done {step.id}")
            if problem:
                return
        for role in dict.fromkeys(item.role for item in rollback.validation):  # seed 4.4, each by its role
            self.say(self.who(role), "rollback confirm all checked after the rollback")

    def _wrap_up(self, ic: str, failure: str | None) -> None:
        """Notes for the report, then a day of monitoring and the T+24h work."""
        if failure:
            self.say(ic, f"note issue {failure}")
            self.say(ic, f"note lesson rehearsed {self.scenario.name}: {self.scenario.drills}")
        else:
            self.say(ic, f"note lesson rehearsal {self.scenario.name} completed: {self.scenario.drills}")
        self.wait(timedelta(hours=24, minutes=5))

    # --- output -------------------------------------------------------------------------------

    def _show(self) -> None:
        """Echo what Slack would show since the last time, one compact line each."""
        for entry in self.session.transcript[self._shown :]:
            line = compact(entry.as_json(), self.roster)
            if line:
                self.lines.append(line)
                self.echo(line)
        self._shown = len(self.session.transcript)

    def write_transcript(self, path: Path) -> None:
        """The JSON transcript, one object per line (the console's --json format)."""
        with path.open("w", encoding="utf-8") as out:
            for entry in self.session.transcript:
                out.write(json.dumps(entry.as_json(), ensure_ascii=False) + "\n")


def compact(entry: dict, roster: Roster) -> str | None:
    """One transcript entry as one short line: time, who or where, first line of the text."""
    at = f"{entry['at'][5:10]} {entry['at'][11:19]}"
    if entry["type"] == "reply":
        text = (entry.get("text") or "").splitlines()
        return render(
            "cli/transcript_line.j2",
            at=at,
            who=roster.name_of(entry["user"]),
            where=None,
            command=entry["command"],
            text=text[0] if text else "",
        )
    args = entry.get("args", {})
    if entry.get("method") not in ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"):
        return None
    text = (args.get("text") or args.get("initial_comment") or "").splitlines()
    return render(
        "cli/transcript_line.j2",
        at=at,
        who=None,
        where="thread" if args.get("thread_ts") else str(args.get("channel", "")),
        command="",
        text=text[0] if text else "",
    )
