"""Runbook sections beyond the execution plan: business rules, communications, monitoring, data checks."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cutover.plan.durations import Cadence, Duration, NonNegativeDuration, PositiveDuration


class Section(BaseModel):
    """Base of every runbook section model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeWindow(Section):
    """A daily window in the airline's time zone, "HH:MM" to "HH:MM" (end excluded)."""

    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")
    name: str = ""


class BusinessFlow(Section):
    """A business operation affected by the cutover (seed 5.1)."""

    name: str
    flows: list[int] = []
    impact: str
    mitigation: str = ""
    workaround: str = ""


class ManualWorkaround(Section):
    """A business continuity procedure (seed 5.4), posted at degradation level 3."""

    name: str
    tool: str
    procedure: list[str] = []
    capacity: str = ""


class ExternalDependency(Section):
    """An outside system the go/no-go checks (seed 1.4), through an HTTP health endpoint or confirmed by hand."""

    key: str
    name: str
    health_url: str | None = None
    confirmed_by: list[
        str
    ] = []  # without a health endpoint: the roles that confirm it (default: authority.go_nogo)


class Business(Section):
    """Business readiness: time zone, peak hours, holidays, blackout dates, impact and workarounds."""

    timezone: str
    peak_windows: list[TimeWindow] = []
    holidays_country: str | None = None
    holidays_subdivision: str | None = None
    blackout_dates: list[date] = []
    recommended_window: str = ""
    required_roles: list[str] = []
    critical_flows: list[int] = []
    impact: list[BusinessFlow] = []
    manual_workarounds: list[ManualWorkaround] = []
    external_dependencies: list[ExternalDependency] = []
    # a start more than this before the window needs the go/no-go override (null: any time after GO)
    start_tolerance: Duration | None = None


class ConfirmedItem(Section):
    """A go/no-go item a person confirms with `/cutover go-nogo confirm <key>`."""

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    category: Literal["technical", "business", "operational", "external"] = "operational"
    by: list[str] = []  # the roles that confirm it (default: authority.go_nogo)


class GoNoGo(Section):
    """Which go/no-go items this runbook checks (seed 1.4); an item it does not name is absent, not unknown.

    Window, holiday, blackout and standby items come from `business`, the acknowledgement item from the
    communications that need one, dependency items from `business.external_dependencies`.
    """

    readiness_threshold: float | None = Field(default=None, ge=0, le=1)  # the readiness-score item
    critical_alarms: bool = False  # the no-critical-alarm item
    rehearsal_max_age: Duration | None = None  # one item per rollback procedure
    confirmations: list[ConfirmedItem] = []


class ReportRouting(Section):
    """Who the post-cutover report addresses besides the cutover thread."""

    summary_to: list[str] | None = None  # roles sent the executive summary (default: management, if declared)
    action_owner: str | None = None  # owner of performance and override follow-ups (default: go_nogo's first)


class Audience(Section):
    """Where a communication goes: Slack channels, user groups, email distribution lists."""

    slack_channels: list[str] = []
    user_groups: list[str] = []
    emails: list[str] = []
    external: bool = False
    # roster roles that may record this audience's acknowledgement (the audience itself is not on the
    # roster); empty: the roles that may schedule the window
    roles: list[str] = []


class Communication(Section):
    """One message of the communication plan, placed relative to an anchor time."""

    id: str
    # rollback: the moment a rollback was ordered (degradation level 2, announced at once);
    # rollback_failed: the moment a rollback failed (degradation level 3: every audience is told)
    anchor: Literal["window", "start", "completion", "rollback", "rollback_failed"]
    offset: Duration
    every: Duration | None = None  # repeated while the cutover is under way (slot ids `<id>#<n>`)
    only_if_not_complete: bool = False
    audiences: list[str] = Field(min_length=1)
    subject: str
    template: str
    needs_ack: bool = False


class Communications(Section):
    """The communication plan (seed 1.3, 5.3): audiences and timed messages."""

    audiences: dict[str, Audience] = {}
    messages: list[Communication] = []


class Thresholds(Section):
    """Metric limits for a monitoring window (seed 6.1)."""

    error_rate_pct: float
    latency_p95_ms: float
    throughput_within_pct: float
    replication_lag_s: float


class MonitoringWindow(Section):
    """A stretch of the extended monitoring period with its check frequency and thresholds."""

    name: str
    start: NonNegativeDuration
    end: PositiveDuration
    every: Cadence
    thresholds: Thresholds


class PerformanceThreshold(Section):
    """A pre/post performance comparison limit (seed 6.3)."""

    metric: str
    limit_pct: float
    direction: Literal["increase", "decrease"]


class Monitoring(Section):
    """Extended monitoring after success, and the performance comparison limits."""

    windows: list[MonitoringWindow] = []
    performance_thresholds: list[PerformanceThreshold] = []


class S3Location(Section):
    """A bucket (and optional prefix) whose objects are counted."""

    bucket: str
    prefix: str = ""


class DataChecks(Section):
    """What the baselines capture and how validation and reconciliation judge them (seed 3)."""

    msk_topics: list[str] = []
    consumer_groups: list[str] = []
    msk_cluster: str = ""
    documentdb_database: str = ""
    collections: list[str] = []
    checksum_field: str = "version"
    s3: list[S3Location] = []
    baseline_bucket: str = ""
    reports_bucket: str = ""
    consumer_lag_max: int = 1000
    # seed 3.2 "alert if lag increased significantly": the most a group's lag may rise above its baseline
    consumer_lag_rise_max: int | None = None
    reconcile_msk_tolerance_pct: float = 0.1
    reconcile_msk_max_messages: int | None = None  # seed 3.4 "alert if counts differ by > 1000 messages"
    readiness_alarms: list[str] = []
    step: str | None = (
        None  # the plan step that validates the data (baseline, validate and reconcile follow it)
    )


class StatuspageTarget(Section):
    """An Atlassian Statuspage page and component mirrored from the cutover (its API key is a setting)."""

    page_id: str
    component_id: str


class StatusPage(Section):
    """The public status page (seed 5.3): where it lives, who to call, how often it is refreshed."""

    url: str
    hotline: str
    channel: str
    update_every: Duration
    s3_bucket: str = ""
    s3_prefix: str = ""
    statuspage: StatuspageTarget | None = None
    dashboard: str = ""  # the CloudWatch dashboard name ("" = none)
    metrics_namespace: str = "NXOP/Cutover"
