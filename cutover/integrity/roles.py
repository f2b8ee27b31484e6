"""Who may do what in go/no-go and data integrity (the RACI of issue 5), read by `cutover.raci.roles_for`.

- `go-nogo confirm standby`: a member of a required role (counts for the roles that member is on call for);
  `confirm incident_response`: the Incident Commander; `confirm <dependency>` (one without a health
  endpoint, e.g. flightkeys): Operations or the Incident Commander.
- `go-nogo override`: the Incident Commander (authority.go_nogo); `approve-override`: Management (a
  runbook without that role: the roles that may schedule), never the person who asked.
- `baseline capture`, `validate`, `reconcile`: the R roles of the data-consistency step (Database Admin,
  Operations) and the Incident Commander; `validate override`: the Incident Commander.
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
MANAGEMENT = "management"
DATA_STEP_WORDS = "data consistency"


def data_step_id(plan: Runbook) -> str | None:
    """The id of the runbook's data consistency validation step (3.2 in the NXOP plan)."""
    return next((s.id for s in plan.steps_by_id.values() if DATA_STEP_WORDS in s.title.lower()), None)


def integrity_roles(action: Any, plan: Runbook) -> tuple[str, ...]:
    """The role keys allowed to perform one of the issue-5 actions."""
    commander = tuple(plan.authority.go_nogo)
    match action.name:
        case "gonogo_confirm":
            return confirmable(plan).get(action.target, ())
        case "gonogo_override" | "validate_override":
            return commander
        case "gonogo_approve_override":
            return (MANAGEMENT,) if MANAGEMENT in plan.roles else tuple(plan.authority.schedule)
        case "baseline_capture" | "validate" | "reconcile":
            step_id = data_step_id(plan)
            owners = tuple(plan.steps_by_id[step_id].raci.R) if step_id else ()
            return tuple(dict.fromkeys((*owners, *commander)))
    return ()
