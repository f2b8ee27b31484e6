"""How long a rehearsal's steps take: drawn around the runbook's durations, reproducible from a seed.

A forward step's nominal time is a share of its timeout (the runbook gives no other estimate): half of
it, a fifth in the continuous-readiness stage. A rollback step's is the seed's estimate (4.2), whose sum
is the procedure's RTO. Each draw multiplies the nominal time by a right-skewed factor (work overruns
more often and by more than it underruns), so a rollback can miss its RTO and the report says so. A
forward step stays inside its timeout unless the scenario slows it: overrunning a timeout is the
slow-step scenario's fault, not chance. The same seed gives the same durations, so the same transcript.
"""

from __future__ import annotations

import random
from datetime import timedelta

STEP_PACE = 0.5  # a forward step's nominal time: half its timeout
PHASE0_PACE = 0.2  # continuous readiness: its checks are quick
FORWARD = (0.6, 1.6, 0.9)  # low, high, mode of the factor on a forward step (at most 0.8 of its timeout)
ROLLBACK = (0.7, 1.4, 0.75)  # low, high, mode on a rollback step's estimate: mean 0.95, a third run over


class StepDurations:
    """The durations of one rehearsal's steps, drawn in the order they are asked for."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"step-durations:{seed}")  # apart from the drill's choice of failure

    def forward(self, timeout: timedelta, *, readiness: bool = False) -> timedelta:
        """A forward step's duration, around its nominal share of the timeout, to the whole second."""
        nominal = timeout * (PHASE0_PACE if readiness else STEP_PACE)
        return self._draw(nominal, FORWARD)

    def rollback(self, estimate: timedelta) -> timedelta:
        """A rollback step's duration, around the seed's estimate for it, to the whole second."""
        return self._draw(estimate, ROLLBACK)

    def _draw(self, nominal: timedelta, shape: tuple[float, float, float]) -> timedelta:
        low, high, mode = shape
        factor = self._rng.triangular(low, high, mode)
        return timedelta(seconds=max(1, round(nominal.total_seconds() * factor)))
