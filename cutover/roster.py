"""The roster: who holds which role tonight, and who of them is on call."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cutover.errors import PlanError, Problem
from cutover.plan.model import Runbook, read_yaml, validation_problems


class Member(BaseModel):
    """A person on the roster, as Slack and email know them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slack_id: str = Field(pattern=r"^[UW][A-Z0-9]+$")
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    on_call: bool = False


class Roster:
    """Role key -> members; one person may hold several roles."""

    def __init__(self, roles: dict[str, list[Member]]) -> None:
        self.roles = roles
        self._held: dict[
            str, list[str]
        ] = {}  # slack id -> role keys, in roster order: asked on every command
        for role, members in roles.items():
            for m in members:
                held = self._held.setdefault(m.slack_id, [])
                if role not in held:
                    held.append(role)

    def members_of(self, role: str) -> list[Member]:
        """Everyone who holds this role."""
        return list(self.roles.get(role, []))

    def on_call_for(self, role: str) -> list[Member]:
        """The role's on-call members, or every member when nobody is marked on call."""
        members = self.members_of(role)
        on_call = [m for m in members if m.on_call]
        return on_call or members

    def roles_of(self, slack_id: str) -> list[str]:
        """The role keys this person holds, in roster order."""
        return list(self._held.get(slack_id, ()))

    def member(self, slack_id: str) -> Member | None:
        """The person with this Slack id, if on the roster."""
        for members in self.roles.values():
            for m in members:
                if m.slack_id == slack_id:
                    return m
        return None

    def everyone(self) -> list[Member]:
        """Every person on the roster once, in roster order."""
        seen: dict[str, Member] = {}
        for members in self.roles.values():
            for m in members:
                seen.setdefault(m.slack_id, m)
        return list(seen.values())

    def name_of(self, slack_id: str) -> str:
        """A display name for a Slack id (the id itself when not on the roster)."""
        member = self.member(slack_id)
        return member.name if member else slack_id


_ROSTER_SHAPE = TypeAdapter(dict[str, list[Member]])


def needed_roles(runbook: Runbook) -> set[str]:
    """Every role the runbook needs someone in: R of each step, gate approvers, lifecycle authority."""
    needed: set[str] = set()
    for phase in runbook.phases:
        for step in phase.steps:
            needed.update(step.raci.R)
    for rollback in runbook.rollbacks:
        for rollback_step in rollback.steps:
            needed.update(rollback_step.raci.R)
    for gate in runbook.gates:
        needed.update(gate.approvers)
    authority = runbook.authority
    for roles in (authority.start, authority.abort, authority.go_nogo):
        needed.update(roles)
    return needed


def parse_roster(data: object, runbook: Runbook, source: str = "roster") -> Roster:
    """Validate roster data against the runbook's roles; raise PlanError naming every problem."""
    if not isinstance(data, dict):
        raise PlanError(source, [Problem("", "roster_not_mapping")])
    try:
        roles = _ROSTER_SHAPE.validate_python(data)
    except ValidationError as exc:
        raise PlanError(source, validation_problems(exc)) from None
    problems = []
    for role, members in roles.items():
        if role not in runbook.roles:
            problems.append(Problem(role, "roster_unknown_role", {"declared": list(runbook.roles)}))
        ids = [m.slack_id for m in members]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem(role, "duplicate_slack_id", {"slack_id": dup}))
    for role in sorted(needed_roles(runbook)):
        if not roles.get(role):
            problems.append(Problem(role, "role_nobody"))
    if problems:
        raise PlanError(source, problems)
    return Roster(roles)


def load_roster(path: str | Path, runbook: Runbook) -> Roster:
    """Load and validate a roster file."""
    path = Path(path)
    return parse_roster(read_yaml(path), runbook, str(path))


def default_roster_path() -> Path:
    """The shipped example roster."""
    return Path(__file__).resolve().parent.parent / "runbooks" / "roster.example.yaml"
