"""Building a report from the database and rendering its three files."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine as DbEngine

from bot.report import render
from bot.report.chart import timeline_png
from cutover.plan.model import Runbook
from cutover.report.model import Report, build_report
from cutover.roster import Roster
from storage import eventlog
from templates.render import render_json

FILES = ("report.md", "report.html", "timeline.png")


@dataclass(frozen=True)
class RenderedReport:
    """The report's view model and its three files."""

    report: Report
    files: dict[str, bytes]  # report.md, report.html, timeline.png


def load_report(
    db: DbEngine, plan: Runbook, roster: Roster | None, cutover_id: str, generated_at: datetime | None = None
) -> Report:
    """Read the cutover's log, verify its hash chain, and build the report."""
    history, audit = eventlog.history_verified(engine=db, cutover_id=cutover_id)
    names = {m.slack_id: m.name for m in roster.everyone()} if roster else {}
    return build_report(plan, history, cutover_id, names=names, audit=audit, generated_at=generated_at)


def render_files(report: Report, templates_dir: str | None = None) -> RenderedReport:
    """Markdown, self-contained HTML (chart embedded) and the PNG chart."""
    labels = render_json("report/chart_labels.json.j2", templates_dir, r=report)
    png = timeline_png(report, labels)
    rows = render.appendix(report, templates_dir)
    markdown_rows, html_rows = rows.markdown, rows.html
    del rows  # each format's rows are freed as soon as they are in their file
    markdown = render.markdown(report, templates_dir, markdown_rows)
    del markdown_rows
    page = render.html(report, png, templates_dir, html_rows)
    return RenderedReport(report, {"report.md": markdown, "report.html": page, "timeline.png": png})


def write_report(
    db: DbEngine,
    plan: Runbook,
    roster: Roster | None,
    cutover_id: str,
    *,
    generated_at: datetime | None = None,
    templates_dir: str | None = None,
) -> RenderedReport:
    """Load, build and render a cutover's report (the job's and the CLI's one path)."""
    with gc_paused():
        return render_files(load_report(db, plan, roster, cutover_id, generated_at), templates_dir)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off meanwhile: reading 100,000 events triggers it hundreds of times,
    each pass rescanning the growing heap, for nothing to collect (the objects all stay alive)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
