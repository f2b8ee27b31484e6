"""Benchmark: wall time and peak memory of a whole rehearsal, per scenario (target: under 10 s each).

Run: .venv/bin/python bench/bench_rehearsal.py  (each scenario in a fresh process, as `cutover-bot rehearse`)
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIOS = [
    "happy",
    "phase1a-fails",
    "phase1b-fails-after-failover",
    "data-corruption",
    "phase2b-amqp-fails",
    "flow-validation-fails",
    "slow-step",
    "drill",
]
TARGET_S = 10.0


def main() -> int:
    """Run each scenario as the CLI would and print a table."""
    print(f"{'scenario':32} {'wall s':>8} {'peak MB':>8}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bot.cli",
                    "rehearse",
                    "--scenario",
                    name,
                    "--out",
                    str(Path(tmp) / name),
                    "--record-to",
                    "none",
                    "--quiet",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            wall = time.perf_counter() - started
            peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
            worst = max(worst, wall)
            print(f"{name:32} {wall:8.2f} {peak:8.0f}  {run.stdout.strip().splitlines()[-1]}")
    print(
        f"worst {worst:.2f} s against the {TARGET_S:.0f} s target: {'OK' if worst < TARGET_S else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
