"""A transport-free test bot: run /cutover commands as roster members on a virtual clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.bootstrap import build_services
from bot.clock import FakeClock
from bot.slack.replies import error_text, reply_text
from commands.run import execute
from cutover.errors import CutoverError
from cutover.plan.model import Runbook
from cutover.raci import Action, roles_for
from cutover.roster import Roster
from cutover.state import CutoverState


class RosterSteps:
    """What a driving test bot does as the roster would (needs plan, roster, ok, advance)."""

    def person(self, role: str, index: int = 0) -> str:
        """The Slack id of a roster member holding a role."""
        return self.roster.members_of(role)[index].slack_id

    def confirm_rollback_checklist(self) -> None:
        """Each role of the ordered rollback's checklist confirms its items (seed 4.4)."""
        procedure = self.plan.rollbacks_by_id[self.state.rollback.procedure]
        for role in dict.fromkeys(item.role for item in procedure.validation):
            self.ok("rollback confirm all", self.person(role))

    def do_step(self, step_id: str, minutes: float = 1) -> None:
        """Start a step as its R role, let time pass, mark it done."""
        step = self.plan.steps_by_id.get(step_id) or self.plan.rollback_steps_by_id[step_id]
        who = self.person(step.raci.R[0])
        self.ok(f"step start {step_id}", who)
        self.advance(minutes)
        self.ok(f"step done {step_id}", who)


class CommandBot(RosterSteps):
    """Runs commands through `commands.run.execute`, the same path Slack and the console use."""

    def __init__(self, plan: Runbook, roster: Roster, database_url: str, start: datetime) -> None:
        self.plan, self.roster = plan, roster
        self.clock = FakeClock(start)
        self.services = build_services(
            runbook=plan, roster=roster, database_url=database_url, clock=self.clock
        )
        self.last_error: CutoverError | None = None

    def run(self, text: str, as_user: str) -> str:
        """Run a command; return the reply text (a refusal's text when refused)."""
        self.last_error = None
        try:
            return reply_text(execute(self.services, as_user, text))
        except CutoverError as exc:
            self.last_error = exc
            return error_text(exc)

    def ok(self, text: str, as_user: str) -> str:
        """Run a command that must succeed."""
        out = self.run(text, as_user)
        assert self.last_error is None, f"/cutover {text} as {as_user} was refused: {out}"
        return out

    def refused(self, text: str, as_user: str) -> CutoverError:
        """Run a command that must be refused; return the refusal."""
        out = self.run(text, as_user)
        assert self.last_error is not None, f"/cutover {text} as {as_user} was accepted: {out}"
        return self.last_error

    def advance(self, minutes: float = 0, seconds: float = 0) -> None:
        """Move the virtual clock forward."""
        self.clock.advance(timedelta(minutes=minutes, seconds=seconds))

    @property
    def state(self) -> CutoverState | None:
        """The current cutover's state."""
        return self.services.ledger.current()

    def go_with_override(self, reason: str = "green") -> None:
        """Record GO the way a test that is not about the checklist must: IC override, Management approval, GO."""
        ic = self.person(self.plan.authority.go_nogo[0])
        approvers = roles_for(Action("gonogo_approve_override"), self.plan)
        approver = next(m.slack_id for r in approvers for m in self.roster.members_of(r) if m.slack_id != ic)
        out = self.run("go-nogo override checklist not under test", ic)
        if self.last_error is None:
            self.ok("go-nogo approve-override", approver)
        else:  # a runbook whose checklist passes (or is empty) needs no override
            assert "no override is needed" in out, out
        self.ok(f"go-nogo go {reason}", ic)

    def to_started(self, window: str = "2026-12-02 02:00") -> None:
        """Schedule, decide GO and start, as the Incident Commander (now, under an approved start override)."""
        ic = self.person("incident_commander")
        self.ok(f"schedule {window}", ic)
        self.go_with_override("rehearsed and green")
        self.start_now()

    def start_now(self) -> None:
        """Start at once; a start too early or in a peak window first gets the override (IC asks, Management approves)."""
        ic = self.person("incident_commander")
        if self.run("start", ic) and self.last_error is None:
            return
        approvers = roles_for(Action("gonogo_approve_override"), self.plan)
        approver = next(m.slack_id for r in approvers for m in self.roster.members_of(r) if m.slack_id != ic)
        self.ok("go-nogo override starting now is agreed with the business", ic)
        self.ok("go-nogo approve-override agreed", approver)
        self.ok("start", ic)

    def through_phase0(self) -> None:
        """Phase 0 done and Gate 1 approved."""
        for sid in ("0.1", "0.2", "0.3"):
            self.do_step(sid)
        self.ok("gate approve 1", self.person("incident_commander"))
