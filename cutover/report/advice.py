"""Report sections 8 and 9: action items and recommendations, derived from what the log shows (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cutover.plan.model import Runbook
from cutover.report.facts import Facts, denial_count


@dataclass(frozen=True)
class ActionItem:
    """Something to do after the cutover (`key` names its sentence in the template), and its owner role."""

    key: str  # unresolved_issue, validation_check, performance, override_item
    data: dict[str, Any]
    owner: str  # a role title from the runbook


@dataclass(frozen=True)
class Advice:
    """A recommendation in one of the seed's four categories (`key` names its sentence in the template)."""

    category: str  # process, technical, documentation, training
    key: str
    data: dict[str, Any]


# The seed's four categories of recommendations; the report's template titles them.
CATEGORIES = ("process", "technical", "documentation", "training")


def action_items(plan: Runbook, issues, validation, perf, overrides) -> list[ActionItem]:
    """Unresolved issues, failing data checks, performance breaches and overridden go/no-go items."""
    ic = plan.titles(plan.authority.go_nogo)[0]
    items = []
    for issue in issues:
        if issue.resolution == "unresolved":
            phase = plan.phases_by_id.get(issue.phase)
            items.append(
                ActionItem(
                    "unresolved_issue", {"issue": issue}, plan.roles.get(phase.lead, ic) if phase else ic
                )
            )
    dba = plan.titles(plan.data_step.raci.R)[0] if plan.data_step else ic
    for item in validation.items:
        if item.get("result") == "fail":
            items.append(ActionItem("validation_check", {"item": item}, dba))
    ops = plan.titles([plan.action_owner])[0]
    for row in perf:
        if row.result == "fail":
            items.append(ActionItem("performance", {"row": row}, ops))
    for override in overrides:
        for key in override.items:
            items.append(ActionItem("override_item", {"item": key}, ops))
    return items


def recommendations(
    plan: Runbook, steps, gates, rollbacks, facts: Facts, overrides, validation, perf, sla_met, escalations
) -> list[Advice]:
    """Advice that follows from the figures: overruns, denials, overrides, slow rollbacks, silence."""
    advice = [Advice("documentation", "step_overrun", {"step": s}) for s in steps if s.over_by is not None]
    advice += [Advice("process", "gate_overrun", {"gate": g}) for g in gates if g.over_by is not None]
    advice += [
        Advice("documentation", "rollback_overrun", {"rollback": r})
        for r in rollbacks
        if r.duration is not None and r.duration > r.rto
    ]
    if facts.denials:
        actions = sorted({str(x.payload.get("action", "")) for x in facts.denials})
        advice.append(
            Advice("training", "denials", {"count": denial_count(facts.denials), "actions": actions})
        )
    advice += [Advice("technical", "gonogo_override", {"items": o.items}) for o in overrides]
    if validation.override:
        advice.append(Advice("technical", "validation_overridden", {}))
    elif validation.passed is False:
        advice.append(Advice("technical", "validation_failed", {}))
    advice += [Advice("technical", "performance", {"row": row}) for row in perf if row.result == "fail"]
    silent = [e for e in escalations if e.acknowledged_at is None]
    if silent:
        advice.append(Advice("process", "silent_escalations", {"count": len(silent)}))
    if facts.comms_late:
        advice.append(Advice("process", "late_comms", {"count": facts.comms_late}))
    if sla_met is False:
        advice.append(Advice("process", "sla_breached", {}))
    return advice
