"""The simulated NXOP platform of a rehearsal: steps change it, validation steps read it back.

Doing 1A.1 turns the ARC routing controls to the target region; 1B.2 fails DocumentDB over; a
rollback turns them back. A validation step (1A.4, 1B.3, 2A.2, ...) passes only when the probes
read the state it expects, so an injected fault (ARC stuck, lost documents, AMQP down) is found
by reading the infrastructure, as it would be for real. Steps of other runbooks have no effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.probes.fakes import FakeInfrastructure
from bot.rehearsal.scenarios import Fault
from cutover.plan.model import Runbook
from cutover.probes import Probes

P = TypeVar("P")


class SimulatedPlatform:
    """FakeInfrastructure plus the parts no probe reads (GTM origin, AMQP listeners, cordon, flows)."""

    def __init__(self, plan: Runbook, infra: FakeInfrastructure) -> None:
        self.plan, self.infra = plan, infra
        self.east, self.west = plan.from_region, plan.to_region
        self.probes: Probes = infra.probes()
        self.gtm_origin = self.east
        self.amqp_region = self.east
        self.cordon = False
        self.west_isolated = False
        self.broken: dict[str, Fault] = {}
        self.effects: dict[str, Callable[[], None]] = {
            "1A.1": lambda: self._route(self.west),
            "1A.3": lambda: self._set(cordon=True),
            "1B.1": lambda: self._fxip(self.west),
            "1B.2": lambda: self._writer(self.west),
            "2A.1": lambda: self._set(gtm_origin=self.west),
            "2B.1": lambda: self._set(amqp_region=self.west),
            "R1.1": lambda: self._route(self.east),
            "R1.2": lambda: self._set(cordon=False),
            "R2.1": lambda: self._set(gtm_origin=self.east),
            "R2.2": lambda: self._writer(self.east),
            "R2.3": lambda: self._fxip(self.east),
            "R2.4": lambda: self._route(self.east),
            "R2.5": lambda: self._set(cordon=False),
            "R3.1": lambda: self._set(west_isolated=True),
            "R3.3": self._full_rollback,
        }
        self.checks: dict[str, Callable[[], str | None]] = {
            "1A.1": lambda: self._expect_routing(self.west),
            "1A.4": lambda: self._expect_routing(self.west),
            "1B.3": self._docdb_connections,
            "1B.4": self._replication_lag,
            "2A.2": lambda: self._expect(
                self.gtm_origin == self.west, "api.nxop.com still points to us-east-1"
            ),
            "2B.2": self._amqp,
            "3.1": self._health,
            "3.3": self._flows,
            "R1.3": lambda: self._expect_routing(self.east),
            "R2.7": lambda: self._expect_routing(self.east),
        }

    # --- faults -------------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Break the platform the way the fault says, at the step it names."""
        self.broken[fault.step] = fault
        if fault.kind == "documents_lost":
            collection = (
                "flight_plans"
                if "flight_plans" in self.infra.documentdb[self.west]
                else next(iter(self.infra.documentdb[self.west]))
            )
            self.infra.lose_documents(self.west, collection, 25)

    def repair(self, step_id: str) -> None:
        """The team fixed what broke at this step (the "fix and proceed" decision)."""
        self.broken.pop(step_id, None)

    # --- what a step does and what its validation reads -----------------------------------------

    def do(self, step_id: str) -> None:
        """Apply the step's effect to the infrastructure (a stuck ARC ignores the toggle)."""
        fault = self.broken.get("1A.1")
        if step_id == "1A.1" and fault is not None and fault.kind == "arc_stuck":
            return
        effect = self.effects.get(step_id)
        if effect is not None:
            effect()

    def failure(self, step_id: str) -> str | None:
        """Why this step fails now (read from the infrastructure), or None when it passes."""
        fault = self.broken.get(step_id)
        if fault is not None and fault.kind in ("generic", "docdb_connections", "amqp_down", "flow_down"):
            return fault.detail
        check = self.checks.get(step_id)
        return check() if check else None

    # --- effects --------------------------------------------------------------------------------

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    def _route(self, region: str) -> None:
        for arn in self.infra.arc.states:
            self.infra.arc.states[arn] = "On" if _tag(region) in arn else "Off"

    def _writer(self, region: str) -> None:
        self.infra.global_cluster.writer_region = region

    def _fxip(self, region: str) -> None:
        self.infra.fxip_region = region

    def _full_rollback(self) -> None:
        for step_id in ("R2.1", "R2.2", "R2.3", "R2.4", "R2.5"):
            self.effects[step_id]()

    # --- checks: each reads the probes, as the real validation would -----------------------------

    def _expect(self, ok: bool, problem: str) -> str | None:
        return None if ok else problem

    def _expect_routing(self, region: str) -> str | None:
        reading = wired(self.probes.arc, "ARC").routing_state()
        if reading.ok is None:
            return f"ARC state unknown: {reading.error}"
        on = [r for r, is_on in (reading.value or {}).items() if is_on]
        return (
            None
            if on == [region]
            else f"ARC routes MSK clients to {', '.join(on) or 'nowhere'}, not {region}"
        )

    def _docdb_connections(self) -> str | None:
        reading = wired(self.probes.global_cluster, "global cluster").primary_region()
        if reading.value != self.west:
            return f"DocumentDB primary is {reading.value or 'unknown'}, not {self.west}"
        return None

    def _replication_lag(self) -> str | None:
        lag = wired(self.probes.metrics, "metrics").metrics(self.west).replication_lag_s
        return None if lag is not None and lag < 30 else f"replication lag {lag}s (limit 30s)"

    def _amqp(self) -> str | None:
        return self._expect(self.amqp_region == self.west, "AMQP listeners still consume from us-east-1")

    def _health(self) -> str | None:
        metrics = wired(self.probes.metrics, "metrics").metrics(self.west)
        if metrics.error_rate_pct is None or metrics.error_rate_pct >= 1:
            return f"error rate {metrics.error_rate_pct}% in {self.west}"
        return None

    def _flows(self) -> str | None:
        return self._expect(
            self.gtm_origin == self.west and self.amqp_region == self.west,
            "end-to-end flows do not reach us-west-2",
        )


def _tag(region: str) -> str:
    return {"us-east-1": "use1", "us-west-2": "usw2"}.get(region, region)


def wired(probe: P | None, name: str) -> P:
    """A probe the fake infrastructure always provides (its absence is a bug in the rehearsal)."""
    if probe is None:
        raise RuntimeError(f"the simulated platform has no {name} probe")
    return probe
