"""Cutover logs with known times and outcomes, for the report's accuracy tests and the benchmark.

Commands go through `CommandBot` on a virtual clock; the events other features append
(baselines, validation, monitoring, escalations, go/no-go overrides) are appended by hand with
the payloads of the agreed contract. Times are offsets in seconds from the start (START).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cutover.events import GoNoGoDecided, Opaque
from storage.eventlog import Pending
from tests.support.bot import CommandBot

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
START = T0 + timedelta(hours=1)  # baselines are captured at T0, the cutover starts an hour later
BASE_METRICS = {
    "error_rate_pct": 0.1,
    "latency_p95_ms": 400.0,
    "throughput": 1000.0,
    "replication_lag_s": 1.0,
}
ROLE = {
    "ic": "incident_commander",
    "ops": "operations",
    "dba": "database_admin",
    "net": "network_engineer",
    "app": "application_engineer",
    "mgmt": "management",
}


def append(bot: CommandBot, kind: str, payload: dict, actor: str = "bot") -> None:
    """Append an event of another feature (by its contract kind and payload) at the clock's time."""
    state = bot.state
    bot.services.ledger.record(
        state.cutover_id, [Pending(actor, bot.clock.now(), Opaque(kind_name=kind, data=payload))], state.seq
    )


def at(bot: CommandBot, offset_s: float) -> None:
    """Move the clock to START + offset."""
    bot.clock.set(START + timedelta(seconds=offset_s))


def run(bot: CommandBot, script: list[tuple]) -> None:
    """Run (offset_s, who, command) rows; who is a ROLE key or a callable (bot) -> None for hand events."""
    for offset, who, text in script:
        at(bot, offset)
        if callable(text):
            text(bot)
        else:
            bot.ok(text, bot.person(ROLE[who]))


def prepare(bot: CommandBot, *, baseline: bool = True) -> None:
    """Schedule, capture a baseline at T0, decide GO, start at START."""
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-01 02:00", ic)  # the window opens at START: the start is on time
    if baseline:
        append(
            bot,
            "baseline.captured",
            {
                "msk": {"prod.flight.events.v1": 5000},
                "consumer_lag": {"fos-consumer": 10},
                "documentdb": {"flight_plans": {"count": 700, "checksum": 1234}},
                "s3": {"nxop-flight-plans/": {"count": 40, "keys": {}}},
                "metrics": dict(BASE_METRICS),
                "unknown": {},
                "archive": "s3://nxop-cutover-baselines/baseline.json",
            },
        )
    # GO is recorded as the event itself: the checklist that gates the command is data integrity's, and the
    # report only reads the decision from the log
    state = bot.state
    bot.services.ledger.record(
        state.cutover_id, [Pending(ic, bot.clock.now(), GoNoGoDecided("go", "rehearsed"))], state.seq
    )


PHASE0 = [
    (0, "ic", "start"),
    (0, "ops", "step start 0.1"),
    (30, "ops", "step done 0.1"),
    (30, "ops", "step start 0.2"),
    (60, "ops", "step done 0.2"),
    (60, "ic", "step start 0.3"),
    (90, "ic", "step done 0.3"),
    (90, "ic", "gate approve 1"),
]
STAGE1 = [
    (90, "ops", "step start 1A.1"),
    (90, "dba", "step start 1B.1"),
    (110, "dba", "step done 1B.1"),
    (110, "dba", "step start 1B.2"),
    (120, "ops", "step done 1A.1"),
    (120, "ops", "step start 1A.2"),
    (150, "ops", "step done 1A.2"),
    (150, "ops", "step start 1A.3"),
    (170, "ops", "step done 1A.3"),
    (170, "ops", "step start 1A.4"),
    (200, "ops", "step done 1A.4"),
    (200, "ic", "gate approve 2"),
    (230, "dba", "step done 1B.2"),
    (230, "dba", "step start 1B.3"),
    (250, "dba", "step done 1B.3"),
    (250, "dba", "step start 1B.4"),
    (270, "dba", "step done 1B.4"),
    (270, "ic", "gate approve 3"),
]


# The post-rollback checklists (seed 4.4), confirmed by their roles the moment the last step is done.
CHECKLIST_R1 = [(420, who, "rollback confirm all") for who in ("ops", "dba", "ic")]
CHECKLIST_R2 = [(420, who, "rollback confirm all") for who in ("net", "dba", "ops", "ic")]


def validation(passed: bool, msk_current: int = 5100) -> dict:
    """A validation.completed payload; an MSK count below the baseline's 5000 is message loss."""
    items = [
        {
            "source": "msk",
            "name": "prod.flight.events.v1",
            "baseline": 5000,
            "current": msk_current,
            "delta": msk_current - 5000,
            "result": "pass" if msk_current >= 5000 else "fail",
            "reason": "" if msk_current >= 5000 else "count decreased (message loss)",
        },
        {
            "source": "documentdb",
            "name": "flight_plans",
            "baseline": 700,
            "current": 705,
            "delta": 5,
            "result": "pass",
            "reason": "",
        },
        {
            "source": "s3",
            "name": "nxop-flight-plans/",
            "baseline": 40,
            "current": 40,
            "delta": 0,
            "result": "pass",
            "reason": "",
        },
        {
            "source": "consumer_lag",
            "name": "fos-consumer",
            "baseline": 10,
            "current": 4,
            "delta": -6,
            "result": "pass",
            "reason": "",
        },
    ]
    return {"passed": passed, "items": items}


def checkpoint(metrics: dict, window: str = "critical", breaches: list | None = None) -> dict:
    """A monitoring.checkpoint payload."""
    return {"window": window, "metrics": metrics, "thresholds": {}, "breaches": breaches or []}


def success_log(bot: CommandBot) -> None:
    """Succeeds at 9m10s (health checks green at 7m); 16 checkpoints over 4 h; one denial; one lesson."""
    prepare(bot)
    stage2 = [
        (270, "net", "step start 2A.1"),
        (270, "app", "step start 2B.1"),
        (330, "app", "step done 2B.1"),
        (330, "app", "step start 2B.2"),
        (360, "net", "step done 2A.1"),
        (360, "net", "step start 2A.2"),
        (380, "net", "step done 2A.2"),
        (390, "app", "step done 2B.2"),
        (390, "ic", "gate approve 4"),
    ]
    stage3 = [
        (390, "ops", "step start 3.1"),
        (420, "ops", "step done 3.1"),
        (420, "dba", "step start 3.2"),
        (470, "dba", lambda b: append(b, "validation.completed", validation(True))),
        (480, "dba", "step done 3.2"),
        (480, "ops", "step start 3.3"),
        (510, "ops", "step done 3.3"),
        (510, "ic", "step start 3.4"),
        (530, "ic", "step done 3.4"),
        (540, "ic", "gate approve 5"),
    ]
    run(bot, PHASE0 + STAGE1 + stage2 + stage3)
    at(bot, 545)
    bot.refused("gate approve 5", bot.person("operations"))
    at(bot, 550)
    bot.ok("gate approve 5", bot.person("management"))
    post = {"error_rate_pct": 0.15, "latency_p95_ms": 420.0, "throughput": 1000.0, "replication_lag_s": 2.0}
    for k in range(1, 17):
        at(bot, 550 + 900 * k)
        append(bot, "monitoring.checkpoint", checkpoint(dict(post)))
    bot.ok("note lesson Pre-generated briefings kept pilots served", bot.person("operations"))


def r1_log(bot: CommandBot) -> None:
    """1A.3 fails at 3m; R1 ordered at 3m30s, completes at 7m (3.5 min, its RTO); one acknowledged escalation."""
    prepare(bot)
    script = (
        PHASE0
        + STAGE1[:8]
        + [
            (180, "ops", "step fail 1A.3 cordon rules rejected"),
            (
                190,
                "ic",
                lambda b: append(
                    b,
                    "escalation.sent",
                    {
                        "key": "esc:rollback_decision:1",
                        "trigger": "rollback_decision",
                        "roles": ["management"],
                        "to": [b.person("management")],
                        "ref": "1A.3",
                        "reason": "rollback decision needed",
                        "attempt": 1,
                    },
                ),
            ),
            (
                200,
                "mgmt",
                lambda b: append(
                    b, "escalation.acknowledged", {"key": "esc:rollback_decision:1"}, b.person("management")
                ),
            ),
            (210, "ic", "rollback R1 MSK cordon failed, DocumentDB untouched"),
            (210, "ops", "step start R1.1"),
            (240, "ops", "step done R1.1"),
            (240, "ops", "step start R1.2"),
            (300, "ops", "step done R1.2"),
            (300, "ops", "step start R1.3"),
            (420, "ops", "step done R1.3"),
            *CHECKLIST_R1,
        ]
    )
    run(bot, script)


def r2_log(bot: CommandBot) -> None:
    """Go/no-go overridden; 2B.2 fails at 6m; R2 at 7m with a 45-minute pause; R2.6 overruns; 5 messages lost.

    Rollback R2: ordered 7m, completed 73m (66 min against a 19 min RTO); downtime 73m > 60m SLA.
    """
    prepare(bot)
    at(bot, -600)
    append(
        bot,
        "checklist.evaluated",
        {
            "items": [
                {
                    "key": "rehearsal",
                    "title": "Rollback rehearsed",
                    "category": "operational",
                    "result": "fail",
                    "reason": "last rehearsal 45 days ago",
                    "data": {},
                },
                {
                    "key": "readiness",
                    "title": "Readiness >= 90%",
                    "category": "technical",
                    "result": "pass",
                    "reason": "",
                    "data": {},
                },
            ]
        },
    )
    append(
        bot,
        "gonogo.override_requested",
        {"reason": "rehearsal booked next week", "items": ["rehearsal"]},
        bot.person("incident_commander"),
    )
    append(bot, "gonogo.override_approved", {"reason": "accepted risk"}, bot.person("management"))
    stage2 = [
        (270, "net", "step start 2A.1"),
        (270, "app", "step start 2B.1"),
        (330, "app", "step done 2B.1"),
        (330, "app", "step start 2B.2"),
        (360, "net", "step done 2A.1"),
        (360, "app", "step fail 2B.2 AMQP listeners cannot reach FlightKeys"),
        (
            380,
            "ic",
            lambda b: append(
                b,
                "escalation.sent",
                {
                    "key": "esc:rollback_decision:2",
                    "trigger": "rollback_decision",
                    "roles": ["management", "incident_commander"],
                    "to": [b.person("management")],
                    "ref": "2B.2",
                    "reason": "rollback decision needed",
                    "attempt": 1,
                },
            ),
        ),
        (420, "ic", "rollback R2 AMQP down for more than 5 minutes"),
        (420, "net", "step start R2.1"),
        (720, "net", "step done R2.1"),
        (720, "ic", "pause waiting for DBA"),
        (3420, "ic", "resume"),
        (3420, "dba", "step start R2.2"),
        (3720, "dba", "step done R2.2"),
        (3720, "dba", "step start R2.3"),
        (3750, "dba", "step done R2.3"),
        (3750, "ops", "step start R2.4"),
        (3780, "ops", "step done R2.4"),
        (3780, "ops", "step start R2.5"),
        (3840, "ops", "step done R2.5"),
        (3840, "dba", "step start R2.6"),
        (4200, "dba", lambda b: append(b, "validation.completed", validation(False, msk_current=4995))),
        (4260, "dba", "step done R2.6"),
        (4260, "ops", "step start R2.7"),
        (4380, "ops", "step done R2.7"),
        # the failed validation holds R2's data item (needs_validation) until the IC overrides it
        (4380, "ic", "validate override 5 messages lost: replayed from the producers' outbox"),
        *((4380, who, text) for _, who, text in CHECKLIST_R2),
    ]
    run(bot, PHASE0 + STAGE1 + stage2)
    at(bot, 4400)
    bot.ok("note issue FlightKeys AMQP certificate had expired", bot.person("application_engineer"))
