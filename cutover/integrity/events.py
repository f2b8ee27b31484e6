"""Events of go/no-go and data integrity: checklist, confirmations, overrides, baselines, checks."""

from __future__ import annotations

from typing import Any

from cutover.events import Event, event_kind


@event_kind("checklist.evaluated")
class ChecklistEvaluated(Event):
    items: list[dict[str, Any]]  # {"key","title","category","result","reason","data"}


@event_kind("gonogo.confirmed")
class GoNoGoConfirmed(Event):
    item: str
    note: str = ""


@event_kind("gonogo.override_requested")
class OverrideRequested(Event):
    reason: str
    items: list[str]  # the keys of the items not passing when the override was asked


@event_kind("gonogo.override_approved")
class OverrideApproved(Event):
    reason: str = ""


@event_kind("baseline.captured")
class BaselineCaptured(Event):
    msk: dict[str, Any]
    consumer_lag: dict[str, Any]
    documentdb: dict[str, Any]
    s3: dict[str, Any]
    metrics: dict[str, Any]
    unknown: dict[str, str]
    archive: str = ""


@event_kind("validation.completed")
class ValidationCompleted(Event):
    passed: bool
    items: list[dict[str, Any]]  # {"source","name","baseline","current","delta","result","reason"}


@event_kind("validation.overridden")
class ValidationOverridden(Event):
    reason: str


@event_kind("reconciliation.completed")
class ReconciliationCompleted(Event):
    passed: bool
    differences: list[dict[str, Any]]  # {"source","name","east","west","detail"}


@event_kind("baseline.archived")
class BaselineArchived(Event):
    archive: str  # s3://bucket/key, written after an earlier failure (baseline.captured had archive "")
