"""Where a runbook contradicts itself (pure): numbers that cannot all hold at once.

`contradictions(runbook)` returns findings as reason codes with their data; `cli/plan_checked.j2`
words them. A runbook may say which number rules for a finding (`rulings`); the finding is then
reported as ruled rather than as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cutover.plan.model import Runbook

CRITICAL_PATH = "critical_path_over_target"
STEPS_OVER_GATE = "steps_over_gate_timeout"


@dataclass(frozen=True)
class Finding:
    """One contradiction: its code, what it is about (ref), the numbers, and the runbook's ruling if any."""

    code: str
    ref: str
    data: dict = field(default_factory=dict)
    ruling: object | None = None


def contradictions(runbook: Runbook) -> list[Finding]:
    """Critical-path phase targets vs the overall target; a gate's phases' step timeouts vs its timeout."""
    found = []
    path, total = [], timedelta()
    for stage in runbook.stages:
        targets = [(p.target, p.id) for p in stage if p.target is not None]
        if targets:
            longest = max(targets)
            path.append({"phase": longest[1], "target": longest[0]})
            total += longest[0]
    if path and total > runbook.sla.target_duration:
        found.append(
            Finding(
                CRITICAL_PATH, "sla", {"path": path, "total": total, "target": runbook.sla.target_duration}
            )
        )
    for gate in runbook.gates:
        if gate.timeout is None:
            continue
        for phase_id in gate.after:
            phase = runbook.phases_by_id[phase_id]
            steps = sum((s.timeout for s in phase.steps), timedelta())
            if steps > gate.timeout:
                found.append(
                    Finding(
                        STEPS_OVER_GATE,
                        f"gate {gate.number}",
                        {"gate": gate.number, "phase": phase.id, "steps": steps, "timeout": gate.timeout},
                    )
                )
    return [_ruled(runbook, f) for f in found]


def _ruled(runbook: Runbook, finding: Finding) -> Finding:
    ruling = next((r for r in runbook.rulings if r.check == finding.code), None)
    return Finding(finding.code, finding.ref, finding.data, ruling) if ruling else finding
