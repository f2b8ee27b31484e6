"""Rendering a report view model as Markdown and self-contained HTML through the report templates."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment

from cutover.report_advice import CATEGORIES
from cutover.report_model import Report
from templates.render import environment


@dataclass(frozen=True)
class Appendix:
    """Appendix A's rows, rendered once for both formats: Markdown table rows and (escaped) HTML rows."""

    markdown: str
    html: str


@lru_cache(maxsize=8)
def report_environment(templates_dir: str | None = None, autoescape: bool = False) -> Environment:
    """The templates' environment plus the report's `mdcell` filter (a filter, not a global function:
    Jinja calls filters directly, which matters 200,000 times in a long log's appendix); with
    autoescape on, every value (macros' too) is HTML-escaped."""
    env = environment(templates_dir).overlay(autoescape=autoescape)
    env.filters = {**env.filters, "mdcell": _md_cell}  # a copy: the shared environment stays as it is
    return env


def appendix(report: Report, templates_dir: str | None = None) -> Appendix:
    """Every event of the log as a Markdown row and an HTML row, in one pass of report/timeline_rows.j2."""
    token = uuid.uuid4().hex  # separators no text in the log can contain, whatever people typed
    cell_end, row_end = f"\x1d{token}\x1d", f"\x1e{token}\x1e"
    text = report_environment(templates_dir).get_template("report/timeline_rows.j2").render(
        events=report.timeline, sep=cell_end, end=row_end)
    rows = text.split(row_end)[: len(report.timeline)]
    del text  # tens of MB on a long log: free it before the two joins
    return Appendix("\n".join(row.partition(cell_end)[0].strip() for row in rows),
                    "\n".join(row.partition(cell_end)[2] for row in rows))


def _md_cell(value: object) -> str:
    """A value made safe for one Markdown table cell: no pipe, no line break."""
    return str(value).strip().replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _context(report: Report, rows: str) -> dict:
    return {"r": report, "appendix_rows": rows, "categories": CATEGORIES}


def markdown(report: Report, templates_dir: str | None = None, rows: Appendix | None = None) -> str:
    """The whole report as Markdown (readable in Slack and in a repository)."""
    rows = rows or appendix(report, templates_dir)
    template = report_environment(templates_dir).get_template("report/report.md.j2")
    return template.render(**_context(report, rows.markdown)).strip() + "\n"


def html(report: Report, chart_png: bytes | None, templates_dir: str | None = None,
         rows: Appendix | None = None) -> str:
    """The whole report as one self-contained HTML page: inline CSS, the chart embedded as a data: URI."""
    rows = rows or appendix(report, templates_dir)
    chart = base64.b64encode(chart_png).decode("ascii") if chart_png else ""
    context = _context(report, rows.html) | {"chart_b64": chart}
    template = report_environment(templates_dir, autoescape=True).get_template("report/report.html.j2")
    return template.render(**context).strip() + "\n"
