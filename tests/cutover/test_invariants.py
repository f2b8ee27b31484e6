"""Property: random command sequences by random actors never break the cutover's invariants."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cutover import events as ev
from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from cutover.state import fold
from storage import eventlog
from tests.conftest import T0
from tests.support.bot import CommandBot

PLAN = load_runbook(default_runbook_path())
ROSTER = load_roster(default_roster_path(), PLAN)
ACTORS = [m.slack_id for m in ROSTER.everyone()] + ["U0OUTSIDER"]
STEPS = [*PLAN.steps_by_id, *PLAN.rollback_steps_by_id]
COMMANDS = st.one_of(
    st.sampled_from(
        [
            "schedule 2026-12-02 02:00",
            "go-nogo go green",
            "go-nogo no-go red",
            "start",
            "status",
            "pause hold",
            "resume",
            "abort stop",
            "note issue seen",
            "rollback R1 r",
            "rollback R2 r",
            "rollback R3 r",
            "schedule 2026-12-09 02:00",
        ]
    ),
    st.builds(
        lambda o, s: f"step {o} {s} x",
        st.sampled_from(["start", "start", "done", "done", "fail"]),
        st.sampled_from(STEPS),
    ),
    st.builds(
        lambda v, n: f"gate {v} {n} because",
        st.sampled_from(["approve", "approve", "approve", "reject"]),
        st.integers(min_value=1, max_value=5),
    ),
)


class CutoverMachine(RuleBasedStateMachine):
    """Drives one bot with arbitrary commands; the invariants are checked after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.bot = CommandBot(PLAN, ROSTER, "sqlite://", T0)
        self.bot.ok("schedule 2026-12-02 02:00", ROSTER.members_of("incident_commander")[0].slack_id)

    @rule(actor=st.sampled_from(ACTORS), text=COMMANDS)
    def command(self, actor, text):
        self.bot.run(text, actor)

    @rule(actor=st.sampled_from(ACTORS), text=COMMANDS)
    def command_as_the_right_role(self, actor, text):
        """Prefer an actor who may do it, so runs get deep into the plan."""
        words = text.split()
        if words[0] == "step" and words[2] in (PLAN.steps_by_id | PLAN.rollback_steps_by_id):
            step = PLAN.steps_by_id.get(words[2]) or PLAN.rollback_steps_by_id[words[2]]
            actor = ROSTER.members_of(step.raci.R[0])[0].slack_id
        elif words[0] == "gate":
            approvers = PLAN.gates_by_number[int(words[2])].approvers
            actor = ROSTER.members_of(approvers[-1] if actor.endswith("3AAAA") else approvers[0])[0].slack_id
        elif words[0] in ("start", "pause", "resume", "go-nogo"):
            actor = ROSTER.members_of("incident_commander")[0].slack_id
        self.bot.run(text, actor)

    @rule(fail=st.integers(min_value=0, max_value=9), pick=st.integers(min_value=0, max_value=3))
    def next_sensible_move(self, fail, pick):
        """Do what the plan expects next, as the right person (sometimes failing), to reach deep states."""
        state, ic = self.bot.state, ROSTER.members_of("incident_commander")[0].slack_id
        if state is None or state.terminal:
            return
        moves = {"scheduled": "go-nogo go green", "no_go": "go-nogo go green", "go": "start"}
        if state.status in moves:
            self.bot.run(moves[state.status], ic)
            return
        candidates = []
        for gate in PLAN.gates:
            if state.gate(gate.number).status == "open":
                done = {a.role for a in state.gate(gate.number).approvals}
                role = next(r for r in gate.approvers if r not in done)
                candidates.append((f"gate approve {gate.number}", ROSTER.members_of(role)[0].slack_id))
        ids = (
            PLAN.rollbacks_by_id[state.rollback.procedure].steps
            if state.rollback
            else [st_ for p in PLAN.phases for st_ in p.steps]
        )
        for step in ids:
            run = state.step(step.id)
            who = ROSTER.members_of(step.raci.R[0])[0].slack_id
            if run.status == "in_progress":
                candidates.append((f"step {'fail' if fail == 0 else 'done'} {step.id} x", who))
            elif run.status in ("pending", "failed"):
                candidates.append((f"step start {step.id}", who))
        if candidates:
            self.bot.run(*candidates[pick % len(candidates)])

    @rule(fail=st.integers(min_value=0, max_value=9), pick=st.integers(min_value=0, max_value=3))
    def next_sensible_move_again(self, fail, pick):
        """Twice the weight for progress through the plan."""
        self.next_sensible_move(fail, pick)

    @rule(fail=st.integers(min_value=0, max_value=9), pick=st.integers(min_value=0, max_value=3))
    def and_again(self, fail, pick):
        """Three times the weight for progress through the plan."""
        self.next_sensible_move(fail, pick)

    @rule(minutes=st.integers(min_value=0, max_value=20))
    def time_passes(self, minutes):
        self.bot.advance(minutes=minutes)

    def histories(self):
        db = self.bot.services.ledger.db
        return {cid: eventlog.history(engine=db, cutover_id=cid) for cid in eventlog.cutover_ids(engine=db)}

    @invariant()
    def no_phase_starts_before_its_gates_are_approved(self):
        for history in self.histories().values():
            approved: set[int] = set()
            for recorded in history:
                event = recorded.event
                if isinstance(event, ev.GateApproved) and event.complete:
                    approved.add(event.gate)
                if isinstance(event, ev.GateRejected):
                    approved.discard(event.gate)
                if isinstance(event, ev.StepStarted) and event.step_id in PLAN.steps_by_id:
                    stage = PLAN.phase_of_step[event.step_id].stage
                    needed = {g.number for g in PLAN.gates if PLAN.phases_by_id[g.after[0]].stage < stage}
                    assert needed <= approved, (event.step_id, needed, approved)

    @invariant()
    def every_approval_is_by_an_approver_in_the_role_recorded(self):
        for history in self.histories().values():
            for recorded in history:
                event = recorded.event
                if isinstance(event, ev.GateApproved | ev.GateRejected):
                    assert event.role in PLAN.gates_by_number[event.gate].approvers
                    assert event.role in ROSTER.roles_of(recorded.actor)

    @invariant()
    def nobody_outside_the_roster_changed_anything(self):
        for history in self.histories().values():
            for recorded in history:
                if recorded.actor == "U0OUTSIDER":
                    assert isinstance(recorded.event, ev.CommandDenied)

    @invariant()
    def the_hash_chain_verifies(self):
        db = self.bot.services.ledger.db
        for cid in self.histories():
            assert eventlog.verify(engine=db, cutover_id=cid).ok

    @invariant()
    def the_state_folded_from_the_database_equals_the_state_in_memory(self):
        for cid, history in self.histories().items():
            assert fold(cid, history) == self.bot.services.ledger.state(cid)


CutoverMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=140,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCutoverInvariants = CutoverMachine.TestCase
