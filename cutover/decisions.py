"""Rollback decisions: the parallel decision matrix, partial-success scenarios, the default.

`recommend` reads the state and the runbook and says what the seed says to do: which row of
the Phase 1 decision matrix applies, which partial-success scenario, and which rollback
procedure follows. The Incident Commander decides; the bot recommends and records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover.plan.model import MatrixRow, PartialSuccessScenario, Runbook
from cutover.state import CutoverState, GateStatus, StepStatus


@dataclass(frozen=True)
class Recommendation:
    """What the runbook recommends now, and why as a code with its data (templates/replies/_recommendation.j2
    words it): nothing_switched, data_loss (`lost`), matrix (the row's `statuses` and `action`, and the
    `upgrade` text of a matrix upgrade that applied), scenario (the partial-success `scenario`'s title and
    reason), default_rollback."""

    action: str  # the runbook's words (a matrix row's action, a scenario's decision), ABORT, or "": roll back
    rollback: str | None
    code: str
    row: MatrixRow | None = None
    scenario: PartialSuccessScenario | None = None
    data: dict = field(default_factory=dict)


ABORT = "abort"
NOTHING_SWITCHED = "nothing_switched"
DATA_LOSS = "data_loss"
MATRIX = "matrix"
SCENARIO = "scenario"
DEFAULT_ROLLBACK = "default_rollback"
LOSS_SOURCES = frozenset({"msk", "documentdb", "s3"})


def nothing_switched(state: CutoverState, plan: Runbook) -> bool:
    """True while no step after the first stage has started: nothing is switched, nothing to roll back."""
    first = plan.stages[0][0].stage
    return not any(
        state.step(step.id).status != StepStatus.PENDING
        for phase in plan.phases
        if phase.stage != first
        for step in phase.steps
    )


def data_lost(state: CutoverState) -> list[dict]:
    """The latest validation's items that found data lost (counts down, objects gone), not lag or unknowns."""
    validation = state.integrity.validation
    if not validation or validation.get("passed"):
        return []
    return [
        item
        for item in validation.get("items", [])
        if item.get("result") == "fail" and item.get("source") in LOSS_SOURCES
    ]


def phase_outcome(state: CutoverState, plan: Runbook, phase_id: str) -> str:
    """A phase's outcome in the matrix's words: success, failed, in_progress, or pending (not opened)."""
    phase = plan.phases_by_id[phase_id]
    runs = [state.step(s.id) for s in phase.steps]
    if any(run.status == StepStatus.FAILED for run in runs):
        return "failed"
    if any(state.gate(g.number).status == GateStatus.REJECTED for g in plan.gates if phase_id in g.after):
        return "failed"
    if all(run.status == StepStatus.DONE for run in runs):
        return "success"
    if phase.stage in state.stage_opened:
        return "in_progress"
    return "pending"


def matrix_row(state: CutoverState, plan: Runbook) -> MatrixRow | None:
    """The decision-matrix row matching the concurrent phases' outcomes now, if any."""
    matrix = plan.decision_matrix
    if matrix is None:
        return None
    for row in matrix.rows:
        if all(phase_outcome(state, plan, p) == wanted for p, wanted in row.statuses.items()):
            return row
    return None


def _upgraded(state: CutoverState, plan: Runbook, rollback: str | None) -> tuple[str | None, str]:
    """Apply the matrix's upgrades: a completed failover step makes a partial rollback insufficient.

    Also returns the runbook's text of the upgrade that applied (its `why`), or ""."""
    why = ""
    if plan.decision_matrix is None or rollback is None:
        return rollback, why
    for upgrade in plan.decision_matrix.upgrades:
        if rollback == upgrade.replace and state.step(upgrade.if_step_done).status == StepStatus.DONE:
            rollback, why = upgrade.by, upgrade.why
    return rollback, why


def scenario_for(state: CutoverState, plan: Runbook) -> PartialSuccessScenario | None:
    """The partial-success scenario (seed 4.3) matching the phases' outcomes, if any."""
    for scenario in plan.partial_success:
        if all(phase_outcome(state, plan, p) == "success" for p in scenario.when.succeeded) and all(
            phase_outcome(state, plan, p) == "failed" for p in scenario.when.failed
        ):
            return scenario
    return None


def recommend(state: CutoverState, plan: Runbook) -> Recommendation:
    """The runbook's recommendation for the current state."""
    if nothing_switched(state, plan):
        return Recommendation(ABORT, None, NOTHING_SWITCHED)
    lost = data_lost(state)
    emergency = plan.escalations.data_loss_rollback
    if lost and emergency:
        names = [f"{i['source']}:{i['name']}" for i in lost]
        return Recommendation("", emergency, DATA_LOSS, data={"lost": names})
    row = matrix_row(state, plan)
    if row is not None and _matrix_applies(state, plan):
        rollback, upgrade = _upgraded(state, plan, row.rollback)
        data = {"statuses": dict(row.statuses), "action": row.action, "upgrade": upgrade}
        return Recommendation(
            row.action, rollback, MATRIX, row=row, scenario=scenario_for(state, plan), data=data
        )
    scenario = scenario_for(state, plan)
    if scenario is not None:
        rollback, _ = _upgraded(state, plan, scenario.recommended_rollback)
        data = {"title": scenario.title, "reason": scenario.reason}
        return Recommendation(scenario.decision, rollback, SCENARIO, scenario=scenario, data=data)
    default = plan.escalations.default_rollback
    return Recommendation("", default, DEFAULT_ROLLBACK)


def _matrix_applies(state: CutoverState, plan: Runbook) -> bool:
    """The matrix decides until a stage after its own has opened."""
    matrix = plan.decision_matrix
    return matrix is not None and not any(stage > matrix.stage for stage in state.stage_opened)


def timeout_procedure(plan: Runbook, rec: Recommendation) -> str:
    """What a missed decision defaults to (seed 4.3: the full rollback), or the recommendation when it is larger.

    An emergency rollback recommended for data loss contains the full one, so it is not downgraded.
    """
    default = plan.rollbacks_by_id[plan.escalations.default_rollback]
    recommended = plan.rollbacks_by_id.get(rec.rollback or "")
    if recommended is not None and recommended.rto > default.rto:
        return recommended.id
    return default.id
