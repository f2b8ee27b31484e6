"""Reports are encoded batch by batch: the same bytes as the whole text stripped, with the appendix in place."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.report import render

MARK = "\x1dmark\x1d"
PIECES = st.lists(
    st.sampled_from(["", " ", "\n", "\t ", "a", "é b", " c\n", "日本 ", MARK, "x" + MARK + " "]), max_size=30
)
ROWS = st.sampled_from([b"", b"| 1 | row |", "é\n<tr>".encode()])


@pytest.fixture(autouse=True)
def small_batches():
    saved = render._BATCH
    yield
    render._BATCH = saved


@settings(max_examples=400, deadline=None)
@given(pieces=PIECES, rows=ROWS, batch=st.integers(1, 5))
def test_the_batched_text_is_the_whole_text_stripped_with_the_rows_in_place(pieces, rows, batch):
    render._BATCH = batch  # batch boundaries anywhere, whitespace across them
    text = "".join(pieces).replace(MARK, "\x00" if rows else "")  # the rows are text: never stripped
    expected = (text.strip() + "\n").encode("utf-8").replace(b"\x00", rows)
    assert render._stripped_utf8(iter(pieces), MARK, rows) == expected


def test_the_appendix_rows_do_not_depend_on_the_batches(r2):
    report = r2[0]
    whole = render.appendix(report)
    render._BATCH = 3
    assert render.appendix(report) == whole
    rows = whole.markdown.decode().split("\n")
    assert [int(row.split(" | ")[0][2:]) for row in rows] == [e.seq for e in report.timeline]
    assert whole.html.decode().split("\n")[0].startswith(f"<tr><td>{report.timeline[0].seq}</td>")
