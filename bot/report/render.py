"""Rendering a report view model as Markdown and self-contained HTML through the report templates.

A long log's report is tens of MB: the templates' output is encoded to UTF-8 as it is generated, a
batch of pieces at a time, so no whole text (nor its list of pieces) is ever held next to its bytes.
"""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from jinja2 import Environment

from cutover.report.advice import CATEGORIES
from cutover.report.model import Report
from templates.render import environment

_BATCH = 4096  # template pieces (or appendix rows) joined and encoded at a time


@dataclass(frozen=True)
class Appendix:
    """Appendix A's rows, rendered once for both formats, as UTF-8: Markdown table rows and (escaped) HTML rows."""

    markdown: bytes
    html: bytes


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
    sep = f"\x1d{uuid.uuid4().hex}\x1d"  # a separator no text in the log can contain, whatever people typed
    template = report_environment(templates_dir).get_template("report/timeline_rows.j2")
    markdown, page = _Lines(), _Lines()
    for piece in template.generate(events=report.timeline, sep=sep):  # one piece per event
        cells, found, row = piece.partition(sep)
        if found:
            markdown.add(cells.strip())
            page.add(row)
    return Appendix(markdown.value(), page.value())


def _md_cell(value: object) -> str:
    """A value made safe for one Markdown table cell: no pipe, no line break."""
    return str(value).strip().replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown(report: Report, templates_dir: str | None = None, rows: bytes | None = None) -> bytes:
    """The whole report as Markdown (readable in Slack and in a repository), UTF-8; `rows`: Appendix A's."""
    rows = appendix(report, templates_dir).markdown if rows is None else rows
    template = report_environment(templates_dir).get_template("report/report.md.j2")
    return _rendered(template, {"r": report, "categories": CATEGORIES}, rows)


def html(
    report: Report, chart_png: bytes | None, templates_dir: str | None = None, rows: bytes | None = None
) -> bytes:
    """The whole report as one self-contained HTML page, UTF-8: inline CSS, the chart embedded as a data: URI."""
    rows = appendix(report, templates_dir).html if rows is None else rows
    chart = base64.b64encode(chart_png).decode("ascii") if chart_png else ""
    template = report_environment(templates_dir, autoescape=True).get_template("report/report.html.j2")
    return _rendered(template, {"r": report, "categories": CATEGORIES, "chart_b64": chart}, rows)


def _rendered(template, context: dict, rows: bytes) -> bytes:
    """A report template's text, stripped and ended by one newline, as UTF-8 built batch by batch; the
    template is given a placeholder for `appendix_rows`, replaced here by the rows already encoded."""
    placeholder = f"\x1d{uuid.uuid4().hex}\x1d"
    return _stripped_utf8(template.generate(**context, appendix_rows=placeholder), placeholder, rows)


def _stripped_utf8(pieces: Iterator[str], placeholder: str, insert: bytes) -> bytes:
    """UTF-8 of ("".join(pieces) with `insert` in place of each placeholder).strip() + "\\n", without the
    whole text ever in memory; `insert` counts as text (it is never stripped)."""
    out = io.BytesIO()
    held, started = "", False  # held: whitespace after what is written, written only if more text follows
    while batch := list(islice(pieces, _BATCH)):
        for n, segment in enumerate("".join(batch).split(placeholder)):
            if n and insert:  # the placeholder stood before this segment
                out.write(held.encode("utf-8"))
                out.write(insert)
                held, started = "", True
            if not started:
                segment = segment.lstrip()
                if not segment:
                    continue
                started = True
            body = segment.rstrip()
            if body:
                out.write((held + body).encode("utf-8"))
                held = segment[len(body) :]
            else:
                held += segment
    out.write(b"\n")
    return out.getvalue()


class _Lines:
    """Lines joined by newlines and encoded to UTF-8 a batch at a time (not one list of 100,000 strings)."""

    def __init__(self) -> None:
        self._out, self._empty = io.BytesIO(), True
        self._batch: list[Any] = []

    def add(self, line: str) -> None:
        self._batch.append(line)
        if len(self._batch) == _BATCH:
            self._flush()

    def value(self) -> bytes:
        """All the lines, newline-separated."""
        self._flush()
        return self._out.getvalue()

    def _flush(self) -> None:
        if self._batch:
            if not self._empty:
                self._out.write(b"\n")
            self._out.write("\n".join(self._batch).encode("utf-8"))
            self._batch, self._empty = [], False
