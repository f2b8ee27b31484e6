"""Who may do what in go/no-go and data integrity, read by `cutover.raci.roles_for`; every role from the runbook.

- `go-nogo confirm standby`: a member of a required role (counts for the roles that member is on call for);
  `confirm <item>`: the item's `by` roles (`go_nogo.confirmations`, or `confirmed_by` of an external
  dependency without a health endpoint), by default those of `authority.go_nogo`.
- `go-nogo override`: `authority.go_nogo`; `approve-override`: `authority.approve_override` (default:
  management when the runbook declares it, else the roles that may schedule), never the person who asked.
- `baseline capture`, `validate`, `reconcile`: the R roles of the data validation step (`data_checks.step`)
  and `authority.go_nogo`; `validate override`: `authority.go_nogo`.
"""

from __future__ import annotations

from typing import Any

from cutover.integrity.checklist import confirmable
from cutover.plan.model import Runbook

ACTIONS = frozenset(
    {
        "gonogo_confirm",
        "gonogo_override",
        "gonogo_approve_override",
        "baseline_capture",
        "validate",
        "validate_override",
        "reconcile",
    }
)


def data_step_id(plan: Runbook) -> str | None:
    """The id of the runbook's data validation step (`data_checks.step`; 3.2 in the NXOP plan)."""
    return plan.data_step.id if plan.data_step else None


def integrity_roles(action: Any, plan: Runbook) -> tuple[str, ...]:
    """The role keys allowed to perform one of the issue-5 actions."""
    commander = tuple(plan.authority.go_nogo)
    match action.name:
        case "gonogo_confirm":
            return confirmable(plan).get(action.target, ())
        case "gonogo_override" | "validate_override":
            return commander
        case "gonogo_approve_override":
            return tuple(plan.authority.override_approvers(plan.roles))
        case "baseline_capture" | "validate" | "reconcile":
            owners = tuple(plan.data_step.raci.R) if plan.data_step else ()
            return tuple(dict.fromkeys((*owners, *commander)))
    return ()
