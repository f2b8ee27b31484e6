"""Rollback decisions: the parallel decision matrix, partial-success scenarios, the default.

`recommend` reads the state and the runbook and says what the seed says to do: which row of
the Phase 1 decision matrix applies, which partial-success scenario, and which rollback
procedure follows. The roles of `authority.rollback` decide; the bot recommends and records.
"""

from __future__ import annotations

from dataclasses import dataclass

from cutover.plan.model import MatrixRow, PartialSuccessScenario, RollbackUpgrade, Runbook
from cutover.state import CutoverState, GateStatus, StepStatus


@dataclass(frozen=True)
class Recommendation:
    """What the runbook recommends now, and on what ground (templates/_recommendation.j2 words it).

    `basis` is "matrix" (a row of the decision matrix, perhaps upgraded), "scenario" (a partial-success
    scenario) or "default" (neither applies: the default rollback); `action` is the runbook's own words
    for the row's or the scenario's decision, None for the default.
    """

    action: str | None
    rollback: str | None
    basis: str
    row: MatrixRow | None = None
    scenario: PartialSuccessScenario | None = None
    upgrade: RollbackUpgrade | None = None


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


def _upgraded(
    state: CutoverState, plan: Runbook, rollback: str | None
) -> tuple[str | None, RollbackUpgrade | None]:
    """Apply the matrix's upgrades: a completed failover step makes a partial rollback insufficient."""
    applied = None
    if plan.decision_matrix is None or rollback is None:
        return rollback, applied
    for upgrade in plan.decision_matrix.upgrades:
        if rollback == upgrade.replace and state.step(upgrade.if_step_done).status == StepStatus.DONE:
            rollback, applied = upgrade.by, upgrade
    return rollback, applied


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
    row = matrix_row(state, plan)
    if row is not None and _matrix_applies(state, plan):
        rollback, upgrade = _upgraded(state, plan, row.rollback)
        return Recommendation(
            row.action, rollback, "matrix", row=row, scenario=scenario_for(state, plan), upgrade=upgrade
        )
    scenario = scenario_for(state, plan)
    if scenario is not None:
        rollback, _ = _upgraded(state, plan, scenario.recommended_rollback)
        return Recommendation(scenario.decision, rollback, "scenario", scenario=scenario)
    return Recommendation(None, plan.escalations.default_rollback, "default")


def _matrix_applies(state: CutoverState, plan: Runbook) -> bool:
    """The matrix decides until a stage after its own has opened."""
    matrix = plan.decision_matrix
    return matrix is not None and not any(stage > matrix.stage for stage in state.stage_opened)
