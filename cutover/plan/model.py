"""The runbook schema: a cutover plan as data, validated by pydantic.

A runbook declares its roles, its phases (grouped into stages: phases of one stage run
concurrently), the steps of each phase with their RACI and timeouts, the validation gates
between stages, the rollback procedures with their RTOs, and the decision rules (Phase 1
decision matrix, partial-success scenarios, escalation triggers, degradation levels, SLA).
Sections used by later parts of the bot (business rules, communications, monitoring,
baselines) are in `cutover/plan/sections.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cutover.errors import PlanError, Problem, ProblemValue
from cutover.plan.durations import Cadence, NonNegativeDuration, PositiveDuration
from cutover.plan.sections import (
    Business,
    Communications,
    DataChecks,
    GoNoGo,
    Monitoring,
    ReportRouting,
    StatusPage,
)

PhaseStatusName = Literal["success", "failed", "in_progress"]


class Strict(BaseModel):
    """Base of every runbook model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Raci(Strict):
    """Who is Responsible, Accountable, Consulted and Informed; "all" means every role."""

    R: list[str] = Field(min_length=1)
    A: list[str] = []
    C: list[str] = []
    I: list[str] = []  # noqa: E741 - the RACI letter


class Step(Strict):
    """One step of a phase: what to do, how, what to expect, who does it, how long it may take."""

    id: str
    title: str
    procedure: list[str] = []
    command: str | None = None
    expected: str
    raci: Raci
    timeout: PositiveDuration
    rollback_procedure: list[str] = []


class Phase(Strict):
    """A phase: a list of steps done in order; phases sharing a stage run concurrently."""

    id: str
    title: str
    stage: int = Field(ge=0)
    lead: str
    description: str = ""
    target: PositiveDuration | None = None
    steps: list[Step] = Field(min_length=1)


class Gate(Strict):
    """A validation gate after one or more phases; the next stage waits for its approval."""

    number: int = Field(ge=1)
    after: list[str] = Field(min_length=1)
    checkpoint: str
    decision: str
    approvers: list[str] = Field(min_length=1)
    approval: Literal["any", "all"] = "any"
    timeout: PositiveDuration | None = Field(description="null means no timeout (wait for green)")
    timeout_note: str = ""


class RollbackStep(Strict):
    """One step of a rollback procedure; a parallel step does not add to the RTO."""

    id: str
    title: str
    duration: NonNegativeDuration
    raci: Raci
    parallel: bool = False
    procedure: list[str] = []
    validates_data: bool = False  # starting it runs the bot's data validation of the region restored
    included_from: str = ""  # set on the steps another procedure brings in with `include: R2`


class CheckItem(Strict):
    """One post-rollback validation item (seed 4.4) and the role that confirms it."""

    item: str
    role: str
    # confirmed only once the bot's data validation run by this procedure's `validates_data` step passed
    needs_validation: bool = False

    def __str__(self) -> str:
        return self.item


class RollbackProcedure(Strict):
    """A rollback procedure (R1 partial, R2 full, R3 emergency) with its RTO and validation checklist."""

    id: str
    name: str
    title: str
    when: str
    rto: PositiveDuration
    steps: list[RollbackStep] = Field(min_length=1)
    validation: list[CheckItem] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _plain_items(cls, data: object) -> object:
        """A plain text item is confirmed by the role accountable for the procedure's first step."""
        if not isinstance(data, dict) or not isinstance(data.get("validation"), list):
            return data
        steps = data.get("steps") or [{}]
        raci = steps[0].get("raci", {}) if isinstance(steps[0], dict) else {}
        role = (raci.get("A") or raci.get("R") or [""])[0] if isinstance(raci, dict) else ""
        items = [{"item": v, "role": role} if isinstance(v, str) else v for v in data["validation"]]
        return {**data, "validation": items}

    @model_validator(mode="after")
    def _validated_items_have_a_validating_step(self) -> RollbackProcedure:
        if any(i.needs_validation for i in self.validation) and not any(s.validates_data for s in self.steps):
            raise ProblemValue(Problem("", "validation_without_step"))
        return self

    @model_validator(mode="after")
    def _durations_add_up(self) -> RollbackProcedure:
        total = sum((s.duration for s in self.steps if not s.parallel), timedelta())
        if total != self.rto:
            raise ProblemValue(Problem("", "steps_over_rto", {"steps": total, "rto": self.rto}))
        return self


class MatrixRow(Strict):
    """One row of the parallel decision matrix: the statuses of the concurrent phases -> action."""

    statuses: dict[str, PhaseStatusName]
    action: str
    rollback: str | None = None


class RollbackUpgrade(Strict):
    """When a step that changed infrastructure is done, a smaller rollback no longer suffices."""

    if_step_done: str
    replace: str
    by: str
    why: str


class DecisionMatrix(Strict):
    """The decision matrix for a stage of concurrent phases (the seed's Phase 1 matrix)."""

    stage: int
    coordinator: str
    rows: list[MatrixRow] = Field(min_length=1)
    upgrades: list[RollbackUpgrade] = []


class ScenarioMatch(Strict):
    """Which phase outcomes make a partial-success scenario apply."""

    succeeded: list[str] = []
    failed: list[str] = []


class PartialSuccessScenario(Strict):
    """A partial-success scenario of seed 4.3: its situation, decision, options and criteria."""

    id: str
    title: str
    when: ScenarioMatch
    decision: str
    reason: str
    options: list[str] = []
    criteria: list[str] = []
    recommended_rollback: str | None = None
    rto: str = ""


class EscalationTrigger(Strict):
    """Who is escalated to when something happens (seed 2.5)."""

    trigger: Literal[
        "step_timeout", "gate_timeout", "validation_failure", "rollback_decision", "critical_alarm"
    ]
    escalate_to: list[str] = Field(min_length=1)
    then_to: list[str] = []  # added from the second ping on, while nobody acknowledges (IC, then Management)
    description: str


class Escalations(Strict):
    """Escalation triggers plus the default rollback when no decision comes in time."""

    triggers: list[EscalationTrigger] = Field(min_length=1)
    decision_timeout: PositiveDuration = timedelta(minutes=2)
    # seed 4.3 "default to full rollback": the bot orders it (order) or only recommends it (recommend)
    decision_timeout_action: Literal["order", "recommend"] = "order"
    default_rollback: str
    data_loss_rollback: str | None = None  # what validation finding data lost recommends (seed 4.2: R3)
    repeat_backoff: list[Cadence] = []


class DegradationLevel(Strict):
    """A service degradation level (seed 5.2) with the banner users see."""

    level: int = Field(ge=0, le=3)
    name: str
    status: str
    banner: str
    entered_when: str
    affected: list[str] = []
    available: list[str] = []


class Sla(Strict):
    """Targets the report measures against; the bot warns at `warn_at` and announces a breach."""

    acceptable_downtime: NonNegativeDuration
    target_duration: PositiveDuration
    warn_at: PositiveDuration | None = None  # a warning to the channel and to `warn_to` before the breach
    warn_to: list[str] = []


class Ruling(Strict):
    """Which number rules where the runbook contradicts itself (`cutover-bot plan check` reports it)."""

    check: Literal["critical_path_over_target", "steps_over_gate_timeout"]
    rules: str
    why: str


class Authority(Strict):
    """Which roles may run the lifecycle commands (steps and gates take their roles from the RACI)."""

    schedule: list[str] = Field(min_length=1)  # an empty list: nobody could
    go_nogo: list[str] = Field(min_length=1)
    start: list[str] = Field(min_length=1)
    pause: list[str] = Field(min_length=1)
    abort: list[str] = Field(min_length=1)
    rollback: dict[str, Annotated[list[str], Field(min_length=1)]]
    approve_override: list[str] | None = None  # default: management when declared, else schedule's roles
    # seed 4.3 "Management: approves full rollback (if time permits)": who is asked to approve or object
    # once a procedure is ordered; the rollback never waits for the answer
    rollback_approval: dict[str, list[str]] = {}
    note: Literal["roster"] = "roster"

    def override_approvers(self, roles: dict[str, str]) -> list[str]:
        """The roles that approve a go/no-go override."""
        if self.approve_override is not None:
            return self.approve_override
        return ["management"] if "management" in roles else self.schedule


class Runbook(Strict):
    """A whole cutover plan."""

    id: str
    title: str
    version: str = "1"
    source: str = ""
    from_region: str
    to_region: str
    roles: dict[str, str] = Field(min_length=1)
    authority: Authority
    phases: list[Phase] = Field(min_length=1)
    gates: list[Gate] = Field(min_length=1)
    rollbacks: list[RollbackProcedure] = Field(min_length=1)
    decision_matrix: DecisionMatrix | None = None
    partial_success: list[PartialSuccessScenario] = []
    escalations: Escalations
    degradation: list[DegradationLevel] = []
    sla: Sla
    status_cadence: Cadence | None = None
    lead_report_cadence: Cadence | None = None
    business: Business | None = None
    communications: Communications | None = None
    monitoring: Monitoring | None = None
    data_checks: DataChecks | None = None
    go_nogo: GoNoGo = GoNoGo()
    report: ReportRouting = ReportRouting()
    rulings: list[Ruling] = []
    status_page: StatusPage | None = None

    @model_validator(mode="before")
    @classmethod
    def _include_procedures(cls, data: object) -> object:
        """A rollback step `{include: R2}` stands for that procedure's steps (R3 contains R2's)."""
        if not isinstance(data, dict) or not isinstance(data.get("rollbacks"), list):
            return data
        raw = {r["id"]: r for r in data["rollbacks"] if isinstance(r, dict) and isinstance(r.get("id"), str)}
        rollbacks = []
        for rollback in data["rollbacks"]:
            if not isinstance(rollback, dict) or not isinstance(rollback.get("steps"), list):
                rollbacks.append(rollback)
                continue
            steps = []
            for step in rollback["steps"]:
                name = step.get("include") if isinstance(step, dict) and len(step) == 1 else None
                included = raw.get(name) if isinstance(name, str) else None
                if included is None or included is rollback or not isinstance(included.get("steps"), list):
                    steps.append(step)
                    continue
                for inner in included["steps"]:
                    if isinstance(inner, dict) and "include" not in inner:
                        steps.append({**inner, "included_from": included["id"]})
            rollbacks.append({**rollback, "steps": steps})
        return {**data, "rollbacks": rollbacks}

    @model_validator(mode="after")
    def _references_resolve(self) -> Runbook:
        problems = _reference_problems(self)
        if problems:
            raise ProblemValue(*problems)
        return self

    # --- lookups (pure, cached on the frozen model) -------------------------------------------

    @cached_property
    def steps_by_id(self) -> dict[str, Step]:
        """Every execution step by id."""
        return {step.id: step for phase in self.phases for step in phase.steps}

    @cached_property
    def phase_of_step(self) -> dict[str, Phase]:
        """The phase that holds each step."""
        return {step.id: phase for phase in self.phases for step in phase.steps}

    @cached_property
    def phases_by_id(self) -> dict[str, Phase]:
        """Every phase by id."""
        return {phase.id: phase for phase in self.phases}

    @cached_property
    def gates_by_number(self) -> dict[int, Gate]:
        """Every gate by number."""
        return {gate.number: gate for gate in self.gates}

    @cached_property
    def rollbacks_by_id(self) -> dict[str, RollbackProcedure]:
        """Every rollback procedure by id (R1, R2, R3)."""
        return {rollback.id: rollback for rollback in self.rollbacks}

    @cached_property
    def rollback_steps_by_id(self) -> dict[str, RollbackStep]:
        """Every rollback step by id (R1.1 ...)."""
        return {step.id: step for rollback in self.rollbacks for step in rollback.steps}

    @cached_property
    def stages(self) -> list[list[Phase]]:
        """Phases grouped by stage, in stage order; phases of one stage run concurrently."""
        numbers = sorted({phase.stage for phase in self.phases})
        return [[p for p in self.phases if p.stage == n] for n in numbers]

    def gates_after_stage(self, stage: int) -> list[Gate]:
        """The gates that close a stage (every phase they follow belongs to it)."""
        return [g for g in self.gates if self.phases_by_id[g.after[0]].stage == stage]

    def titles(self, roles: list[str] | tuple[str, ...]) -> list[str]:
        """The runbook's titles of these role keys, in order."""
        return [self.roles.get(role, role) for role in roles]

    @cached_property
    def duty_titles(self) -> dict[str, list[str]]:
        """The titles of the roles that schedule, decide go/no-go and approve an override, for messages."""
        authority = self.authority
        return {
            "schedule": self.titles(authority.schedule),
            "go_nogo": self.titles(authority.go_nogo),
            "approve_override": self.titles(authority.override_approvers(self.roles)),
        }

    @cached_property
    def final_gates(self) -> list[Gate]:
        """The gates closing the last stage: a failed data validation keeps them shut."""
        return self.gates_after_stage(self.stages[-1][0].stage)

    @cached_property
    def data_step(self) -> Step | None:
        """The step that validates the data (`data_checks.step`), if the runbook names one."""
        step_id = self.data_checks.step if self.data_checks else None
        return self.steps_by_id.get(step_id) if step_id else None

    @cached_property
    def summary_roles(self) -> list[str]:
        """The roles sent the report's executive summary."""
        if self.report.summary_to is not None:
            return self.report.summary_to
        return ["management"] if "management" in self.roles else []

    @cached_property
    def action_owner(self) -> str:
        """The role that owns the report's performance and override follow-ups."""
        return self.report.action_owner or self.authority.go_nogo[0]

    def degradation_level(self, level: int) -> DegradationLevel | None:
        """The degradation level with this number, if the runbook defines it."""
        return next((d for d in self.degradation if d.level == level), None)


def _reference_problems(runbook: Runbook) -> list[Problem]:
    """Every cross-reference that does not resolve: roles, phases, steps, gates, procedures."""
    problems: list[Problem] = []
    roles = set(runbook.roles)

    def check_roles(where: str, keys: list[str], allow_all: bool = False) -> None:
        for key in keys:
            if key == "all" and allow_all:
                continue
            if key not in roles:
                problems.append(Problem(where, "unknown_role", {"key": key, "declared": sorted(roles)}))

    def check_raci(where: str, raci: Raci) -> None:
        check_roles(f"{where}.raci.R", raci.R)
        check_roles(f"{where}.raci.A", raci.A)
        check_roles(f"{where}.raci.C", raci.C, allow_all=True)
        check_roles(f"{where}.raci.I", raci.I, allow_all=True)

    seen_steps: set[str] = set()
    phase_ids = [p.id for p in runbook.phases]
    for dup in sorted({p for p in phase_ids if phase_ids.count(p) > 1}):
        problems.append(Problem("phases", "duplicate_phase", {"phase": dup}))
    for i, phase in enumerate(runbook.phases):
        check_roles(f"phases[{i}].lead", [phase.lead])
        for j, step in enumerate(phase.steps):
            where = f"phases[{i}].steps[{j}]"
            if step.id in seen_steps:
                problems.append(Problem(f"{where}.id", "duplicate_step", {"step": step.id}))
            seen_steps.add(step.id)
            check_raci(where, step.raci)
    for i, rollback in enumerate(runbook.rollbacks):
        for j, item in enumerate(rollback.validation):
            check_roles(f"rollbacks[{i}].validation[{j}].role", [item.role])
        for j, rollback_step in enumerate(rollback.steps):
            where = f"rollbacks[{i}].steps[{j}]"
            if rollback_step.included_from:
                continue  # checked where it is defined
            if rollback_step.id in seen_steps:
                problems.append(Problem(f"{where}.id", "duplicate_step", {"step": rollback_step.id}))
            seen_steps.add(rollback_step.id)
            check_raci(where, rollback_step.raci)

    numbers = [g.number for g in runbook.gates]
    for twice in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(Problem("gates", "duplicate_gate", {"gate": twice}))
    phases = {p.id: p for p in runbook.phases}
    for i, gate in enumerate(runbook.gates):
        check_roles(f"gates[{i}].approvers", gate.approvers)
        missing = [p for p in gate.after if p not in phases]
        for p in missing:
            problems.append(
                Problem(f"gates[{i}].after", "gate_names_missing_phase", {"gate": gate.number, "phase": p})
            )
        stages = {phases[p].stage for p in gate.after if p in phases}
        if len(stages) > 1:
            problems.append(Problem(f"gates[{i}].after", "gate_after_stages", {"gate": gate.number}))
    gated = {p for g in runbook.gates for p in g.after}
    for phase in runbook.phases:
        if phase.id not in gated:
            problems.append(Problem("phases", "phase_without_gate", {"phase": phase.id}))

    rollback_ids = {r.id for r in runbook.rollbacks}
    for key, allowed in runbook.authority.rollback.items():
        if key not in rollback_ids:
            problems.append(Problem("authority.rollback", "unknown_rollback", {"procedure": key}))
        check_roles(f"authority.rollback.{key}", allowed)
    for missing_proc in sorted(rollback_ids - set(runbook.authority.rollback)):
        problems.append(Problem("authority.rollback", "rollback_unordered", {"procedure": missing_proc}))
    for name in ("schedule", "go_nogo", "start", "pause", "abort"):
        check_roles(f"authority.{name}", getattr(runbook.authority, name))
    if runbook.authority.approve_override is not None:
        check_roles("authority.approve_override", runbook.authority.approve_override)
    problems.extend(_section_problems(runbook, check_roles))

    matrix = runbook.decision_matrix
    if matrix is not None:
        check_roles("decision_matrix.coordinator", [matrix.coordinator])
        for i, row in enumerate(matrix.rows):
            for phase_id in row.statuses:
                if phase_id not in phases:
                    problems.append(
                        Problem(f"decision_matrix.rows[{i}].statuses", "unknown_phase", {"phase": phase_id})
                    )
            if row.rollback is not None and row.rollback not in rollback_ids:
                problems.append(
                    Problem(
                        f"decision_matrix.rows[{i}].rollback",
                        "unknown_procedure",
                        {"procedure": row.rollback},
                    )
                )
        for i, upgrade in enumerate(matrix.upgrades):
            if upgrade.if_step_done not in seen_steps:
                where = f"decision_matrix.upgrades[{i}].if_step_done"
                problems.append(Problem(where, "unknown_step", {"step": upgrade.if_step_done}))
            for key in (upgrade.replace, upgrade.by):
                if key not in rollback_ids:
                    problems.append(
                        Problem(f"decision_matrix.upgrades[{i}]", "unknown_procedure", {"procedure": key})
                    )
    for i, scenario in enumerate(runbook.partial_success):
        for phase_id in [*scenario.when.succeeded, *scenario.when.failed]:
            if phase_id not in phases:
                problems.append(Problem(f"partial_success[{i}].when", "unknown_phase", {"phase": phase_id}))
        if scenario.recommended_rollback and scenario.recommended_rollback not in rollback_ids:
            problems.append(Problem(f"partial_success[{i}].recommended_rollback", "unknown_procedure"))
    if runbook.communications is not None:
        for name, audience in runbook.communications.audiences.items():
            check_roles(f"communications.audiences.{name}.roles", audience.roles)
    for i, trigger in enumerate(runbook.escalations.triggers):
        check_roles(f"escalations.triggers[{i}].escalate_to", trigger.escalate_to, allow_all=True)
        check_roles(f"escalations.triggers[{i}].then_to", trigger.then_to, allow_all=True)
    check_roles("sla.warn_to", runbook.sla.warn_to)
    if runbook.escalations.default_rollback not in rollback_ids:
        problems.append(Problem("escalations.default_rollback", "unknown_rollback"))
    loss = runbook.escalations.data_loss_rollback
    if loss is not None and loss not in rollback_ids:
        problems.append(Problem("escalations.data_loss_rollback", "unknown_rollback"))
    return problems


def _section_problems(runbook: Runbook, check_roles: Callable[..., None]) -> list[Problem]:
    """References of the go/no-go, business, data-check and report sections that do not resolve."""
    problems: list[Problem] = []
    confirmations = runbook.go_nogo.confirmations
    keys = [c.key for c in confirmations]
    for i, item in enumerate(confirmations):
        check_roles(f"go_nogo.confirmations[{i}].by", item.by)
        if keys.count(item.key) > 1 and keys.index(item.key) == i:
            problems.append(Problem("go_nogo.confirmations", "duplicate_confirmation", {"key": item.key}))
    business = runbook.business
    if business is not None:
        check_roles("business.required_roles", business.required_roles)
        for i, dep in enumerate(business.external_dependencies):
            check_roles(f"business.external_dependencies[{i}].confirmed_by", dep.confirmed_by)
            if dep.key in keys:
                where = f"business.external_dependencies[{i}].key"
                problems.append(Problem(where, "dependency_is_confirmation", {"key": dep.key}))
    step = runbook.data_checks.step if runbook.data_checks else None
    if step is not None and step not in runbook.steps_by_id:
        problems.append(Problem("data_checks.step", "unknown_step", {"step": step}))
    check_roles("report.summary_to", runbook.report.summary_to or [])
    check_roles("report.action_owner", [runbook.report.action_owner] if runbook.report.action_owner else [])
    return problems


def _field_path(location: tuple[object, ...]) -> str:
    """Render a pydantic error location as a field path: phases[2].steps[0].timeout ("": the document)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def validation_problems(error: ValidationError) -> list[Problem]:
    """A pydantic ValidationError as problems: field path, code and data.

    The schema's own validators raise `ProblemValue` (its problems' paths are relative to the failing
    field; cross-reference problems carry whole paths); pydantic's own checks become "missing",
    "unknown_field" or "invalid" with pydantic's message (the library's words, passed on)."""
    problems = []
    for item in error.errors():
        path = _field_path(tuple(item["loc"]))
        raised = (item.get("ctx") or {}).get("error")
        if isinstance(raised, ProblemValue):
            problems += [Problem(_joined(path, p.where), p.code, p.data) for p in raised.problems]
        elif item["type"] == "missing":
            problems.append(Problem(path, "missing"))
        elif item["type"] == "extra_forbidden":
            problems.append(Problem(path, "unknown_field"))
        else:
            problems.append(Problem(path, "invalid", {"message": item["msg"].removeprefix("Value error, ")}))
    return problems


def _joined(path: str, where: str) -> str:
    """A field path within another: `rollbacks[0]` + `steps[1]`."""
    if not path or not where:
        return path or where
    return f"{path}{where}" if where.startswith("[") else f"{path}.{where}"


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping (worded by the template: `duplicate key 'name'`)."""

    def __init__(self, key: str, mark: yaml.Mark) -> None:
        super().__init__(None, None, "duplicate_key", mark)
        self.key = key


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not a silent overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the safe loader refuses it with its own message
                continue
            if duplicate:
                raise _DuplicateKey(str(key)[:60], key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> object:
    """Read a YAML file, turning I/O, encoding and syntax errors into a PlanError naming the file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(
            str(path), [Problem("", "cannot_read", {"error": str(exc.strerror or exc)})]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanError(str(path), [Problem("", "not_utf8", {"line": line, "byte": exc.start + 1})]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        if isinstance(exc, _DuplicateKey):
            raise PlanError(str(path), [Problem("", "not_yaml", {**at, "duplicate": exc.key})]) from None
        problem = str(getattr(exc, "problem", None) or exc)  # the YAML parser's own words
        raise PlanError(str(path), [Problem("", "not_yaml", {**at, "problem": problem})]) from None
    except RecursionError:
        raise PlanError(str(path), [Problem("", "too_deep")]) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise PlanError(str(path), [Problem("", "unreadable_value", {"error": str(exc)[:80]})]) from None


def load_runbook(path: str | Path) -> Runbook:
    """Load and validate a runbook file; raise PlanError with file, field path and problem."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise PlanError(str(path), [Problem("", "runbook_not_mapping")])
    try:
        return Runbook.model_validate(data)
    except ValidationError as exc:
        raise PlanError(str(path), validation_problems(exc)) from None
    except RecursionError:
        raise PlanError(str(path), [Problem("", "too_deep")]) from None


def default_runbook_path() -> Path:
    """The shipped NXOP region switch runbook."""
    return Path(__file__).resolve().parents[2] / "runbooks" / "nxop-region-switch.yaml"
