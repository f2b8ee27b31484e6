"""The rehearsal scenarios: the seed's rollback testing schedule (4.1) and partial-success cases (4.3).

A scenario names the fault injected into the simulated infrastructure, where, and what the
Incident Commander decides when it shows: None follows the bot's recommendation (every rollback
scenario does); "fix" retries the failed step, the seed's option A where the bot recommends to investigate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """A fault injected when a step runs: the step fails (reading the broken infrastructure)."""

    step: str
    kind: str  # arc_stuck, docdb_connections, documents_lost, amqp_down, flow_down, slow, generic
    detail: str


@dataclass(frozen=True)
class Scenario:
    """One rehearsal: its name, what it drills, the fault, and the decision taken on failure."""

    name: str
    drills: str
    fault: Fault | None = None
    decision: str | None = None  # "fix" (retry the step and proceed), or None (as the bot recommends)
    expected_outcome: str = "succeeded"
    expected_rollback: str | None = None
    slow_by: float = 1.0  # the faulty step's duration as a multiple of its timeout (slow-step)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("happy", "a cutover with every step green"),
        Scenario(
            "phase1a-fails",
            "partial rollback R1: MSK failover fails, DocumentDB unchanged (seed 4.1, T-30d)",
            Fault(
                "1A.1", "arc_stuck", "the ARC routing control did not switch: MSK clients still on us-east-1"
            ),
            expected_outcome="rolled_back",
            expected_rollback="R1",
        ),
        Scenario(
            "phase1b-fails-after-failover",
            "full rollback R2: DocumentDB failed over, then connections fail (seed 4.1, T-21d)",
            Fault(
                "1B.3", "docdb_connections", "applications cannot connect to the us-west-2 DocumentDB writer"
            ),
            expected_outcome="rolled_back",
            expected_rollback="R2",
        ),
        Scenario(
            "data-corruption",
            "emergency rollback R3: data corruption detected (seed 4.1, T-14d)",
            Fault("3.2", "documents_lost", "flight_plans lost 25 documents in us-west-2"),
            expected_outcome="rolled_back",
            expected_rollback="R3",
        ),
        Scenario(
            "phase2b-amqp-fails",
            "2A succeeds, 2B fails: investigate AMQP, fix within 5 minutes (seed 4.3, S2)",
            Fault("2B.2", "amqp_down", "AMQP listeners cannot reach FlightKeys (affects < 50% of flows)"),
            decision="fix",
            expected_outcome="succeeded",
        ),
        Scenario(
            "flow-validation-fails",
            "a critical flow fails in Phase 3: full rollback (seed 4.3, S3)",
            Fault("3.3", "flow_down", "Flow 8 (Briefing Package) fails end-to-end validation; critical flow"),
            expected_outcome="rolled_back",
            expected_rollback="R2",
        ),
        Scenario(
            "slow-step",
            "a step overruns its timeout: the Incident Commander is pinged",
            Fault("1B.2", "slow", "DocumentDB failover takes longer than its 4-minute timeout"),
            slow_by=1.5,
        ),
    ]
}

DRILL_STEPS = [
    "1A.1",
    "1A.2",
    "1A.3",
    "1A.4",
    "1B.1",
    "1B.2",
    "1B.3",
    "1B.4",
    "2A.1",
    "2A.2",
    "2B.1",
    "2B.2",
    "3.1",
    "3.3",
]


def drill(seed: int, steps: list[str] | None = None) -> Scenario:
    """The T-7d rollback drill: a random failure at a random step, reproducible from the seed."""
    rng = random.Random(seed)
    step = rng.choice(steps or DRILL_STEPS)
    return Scenario(
        "drill",
        f"rollback drill: random failure at {step} (seed {seed})",
        Fault(step, "generic", f"injected failure at {step} (drill seed {seed})"),
        expected_outcome="rolled_back",
    )


def scenario_named(name: str, seed: int) -> Scenario:
    """The scenario by name (drill takes the seed); KeyError names the choices."""
    if name == "drill":
        return drill(seed)
    if name not in SCENARIOS:
        raise KeyError(f"no scenario {name!r}; choose one of {', '.join([*SCENARIOS, 'drill'])}")
    return SCENARIOS[name]
