"""What a verb receives and returns: services wired once, a per-request context, and a reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from commands.denials import DenialLimiter
from cutover.engine import Engine
from cutover.events import Event, Recorded
from cutover.plan.model import Runbook
from cutover.probes import Probes
from cutover.roster import Roster
from cutover.state import CutoverState

if TYPE_CHECKING:
    from commands.ledger import Ledger


class Outbox(Protocol):
    """Every message the bot sends is queued here first, then delivered with retries (bot/ implements it)."""

    def enqueue(
        self, *, method: str, args: dict[str, Any], key: str, order: str = "", save_ts_as: str | None = None
    ) -> None:
        """Queue one call ("chat.postMessage", "chat.update", "views.publish", "ses.send_email", ...).

        `key` makes it idempotent: the same key is queued once. Calls with the same `order` are
        delivered in the order queued. A string "{{ts:NAME}}" anywhere in args is replaced at delivery
        by the `ts` an earlier call saved with save_ts_as=NAME (a cutover's parent message is saved as
        "parent:<cutover_id>", so thread replies use thread_ts="{{ts:parent:<cutover_id>}}").
        """
        ...

    def ts(self, name: str) -> str | None:
        """A saved message timestamp (or DM channel id), by the name it was saved as."""
        ...

    def drain(self) -> int:
        """Deliver what is due now (a no-op for an outbox that delivers as it queues); how many went."""
        ...


class IntegrityJobs(Protocol):
    """The data-integrity work run off the ack path (bot/integrity/jobs.py implements it)."""

    def request(self, job: str, cutover_id: str, actor: str = ..., key: str | None = None) -> None:
        """Run "checklist", "baseline", "validate" or "reconcile" for a cutover soon."""
        ...

    def wait(self, timeout: float = ...) -> object:
        """Wait until every queued job has finished (virtual clocks, tests, shutdown)."""
        ...


class ReportJobs(Protocol):
    """Writing and delivering the report off the ack path (bot/report/jobs.py implements it)."""

    def request(self, cutover_id: str, key: str) -> None:
        """Write and deliver the report of a cutover soon."""
        ...

    def wait(self, timeout: float = ...) -> object:
        """Wait until every queued report is delivered (virtual clocks, tests, shutdown)."""
        ...

    def location(self, cutover_id: str) -> str:
        """Where the latest report of a cutover is (S3 URI or thread permalink); "" before the first."""
        ...


class Clock(Protocol):
    """The only source of time: the real clock in `serve`, a virtual one in scripts and tests."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


@dataclass(frozen=True)
class Reply:
    """A direct answer to the person who asked: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    response_type: str = "ephemeral"  # or "in_channel"
    blocks_template: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a verb decided: the reply, and the events to append to which cutover."""

    reply: Reply
    events: list[Event] = field(default_factory=list)
    cutover_id: str | None = None  # None: the current cutover (or a new one for the first schedule)


RecordedListener = Callable[["Services", CutoverState, list[Recorded]], None]


@dataclass
class StatusTargets:
    """Where the public status page is published besides /status (bot/status/publish.py); None: not wired."""

    s3: Any = None  # a boto3 S3 client: index.html and status.json in the runbook's bucket
    s3_account: Any = None  # a bot.status.website.AccountBlock: account-level Block Public Access
    statuspage: Any = None  # a bot.status.statuspage.StatuspageClient
    cloudwatch: Any = None  # a boto3 CloudWatch client: the metrics and the dashboard


@dataclass(eq=False)
class Services:
    """Everything a verb may use, wired once by `bot.bootstrap.wire_bot` (a feature not wired is None)."""

    plan: Runbook
    roster: Roster
    engine: Engine
    ledger: Ledger
    clock: Clock
    templates_dir: str | None = None
    channel: str = "#nxop-cutover"
    outbox: Outbox | None = None
    probes: Probes | None = None
    listeners: list[RecordedListener] = field(default_factory=list)
    slack: Any = None  # the Slack Web API client, for what goes around the outbox (file uploads)
    integrity: IntegrityJobs | None = None
    reports: ReportJobs | None = None
    parent_shown: dict[str, tuple[str, str]] = field(default_factory=dict)  # parent content last queued
    status_targets: StatusTargets = field(default_factory=StatusTargets)
    rehearsal: str | None = None  # the scenario of a rehearsal these services play, else None
    denials: DenialLimiter = field(default_factory=DenialLimiter)  # per person: one recorded denial a minute
    audit_failure: Any = None  # storage.eventlog.AuditResult of a log that failed verification: read-only
    audit_failed_listeners: list[Callable[[Services, Any], None]] = field(default_factory=list)

    def __deepcopy__(self, memo: dict) -> Services:
        """The services are the process's own: a copy of a request (Bolt's lazy listeners) shares them."""
        return self


@dataclass(frozen=True)
class Ctx:
    """One request: who asks, when, and the state of the current cutover at that moment."""

    services: Services
    actor: str
    now: datetime
    state: CutoverState | None

    @property
    def plan(self) -> Runbook:
        """The runbook in force."""
        return self.services.plan

    @property
    def roster(self) -> Roster:
        """Tonight's roster."""
        return self.services.roster

    @property
    def engine(self) -> Engine:
        """The rules of the runbook."""
        return self.services.engine
