"""Who may do what: the RACI matrix and the runbook's authority, as one pure predicate.

`may(actor, action, plan, roster)` answers before any handler runs. Steps are done, started
and failed by their R role; gates are approved or rejected by their approver roles; lifecycle
commands by the roles the runbook's `authority` names; acknowledgements by the roles of the
audience or of the escalation (`cutover/timeline/ack_roles.py`); notes by anyone on the roster; reading by
anyone. `/cutover help` calls it as a dry run to show the asker what they may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.integrity.roles import ACTIONS as INTEGRITY_ACTIONS
from cutover.integrity.roles import integrity_roles
from cutover.plan.model import Runbook
from cutover.roster import Member, Roster
from cutover.timeline.ack_roles import EVERYONE, comm_ack_roles, escalation_ack_roles, escalation_trigger

ROSTER = "roster"
ANYONE = "anyone"


@dataclass(frozen=True)
class Action:
    """Something a person wants to do: a verb and what it applies to."""

    name: str  # read, note, schedule, go_nogo, start, pause, abort, rollback, step, gate, comm_ack, ...
    target: str = ""

    def __str__(self) -> str:
        return f"{self.name} {self.target}".strip()


@dataclass(frozen=True)
class Decision:
    """The answer of `may`: allowed or not, the roles that may, who holds them now, and why not.

    `reason` is a code (templates/error/_denial.j2 words it): roster_only, not_on_roster, roles_lack;
    `held` is the asker's roles.
    """

    allowed: bool
    action: Action
    roles: tuple[str, ...]
    holders: tuple[Member, ...] = ()
    reason: str = ""
    held: tuple[str, ...] = ()


def roles_for(action: Action, plan: Runbook) -> tuple[str, ...] | str:
    """The role keys allowed to perform the action, or ROSTER / ANYONE."""
    authority = plan.authority
    match action.name:
        case "read":
            return ANYONE
        case "note":
            return ROSTER
        case "step":
            step = plan.steps_by_id.get(action.target) or plan.rollback_steps_by_id.get(action.target)
            return tuple(step.raci.R) if step else ()
        case "gate":
            gate = plan.gates_by_number.get(int(action.target)) if action.target.isdigit() else None
            return tuple(gate.approvers) if gate else ()
        case "rollback":
            return tuple(authority.rollback.get(action.target, ()))
        case "rollback_confirm":  # the engine checks the item's role
            return ROSTER
        case "rollback_approval":
            return tuple(dict.fromkeys(r for roles in authority.rollback_approval.values() for r in roles))
        case "resume":
            return tuple(authority.pause)
        case "schedule" | "go_nogo" | "start" | "pause" | "abort":
            return tuple(getattr(authority, action.name))
        case "comm_ack":
            comm_id, _, audience = action.target.partition(":")
            return comm_ack_roles(plan, comm_id, audience)
        case "escalation_ack":
            trigger = escalation_trigger(action.target)
            roles = escalation_ack_roles(plan, trigger) if trigger else ()
            # `ack`, `ack all`, an unknown key: anyone on the roster (the command sorts out which)
            return ROSTER if not roles or EVERYONE in roles else roles
        case name if name in INTEGRITY_ACTIONS:  # go/no-go confirmations, overrides, data checks
            return integrity_roles(action, plan)
    return ()


def may(actor: str, action: Action, plan: Runbook, roster: Roster) -> Decision:
    """Whether this Slack user may perform this action under the runbook and tonight's roster."""
    allowed = roles_for(action, plan)
    if allowed == ANYONE:
        return Decision(True, action, ())
    held = roster.roles_of(actor)
    if allowed == ROSTER:
        if held:
            return Decision(True, action, ())
        return Decision(False, action, (), (), "roster_only")
    if set(held) & set(allowed):
        return Decision(True, action, tuple(allowed))
    holders = tuple({m.slack_id: m for role in allowed for m in roster.members_of(role)}.values())
    reason = "roles_lack" if held else "not_on_roster"
    return Decision(False, action, tuple(allowed), holders, reason, tuple(held))
