"""The three files: Markdown with the ten sections, self-contained HTML, a real PNG chart."""

from __future__ import annotations

import base64
import re
import struct

import pytest

from bot.report.build import render_files
from tests.report.conftest import built, report_of
from tests.support import report_logs
from tests.support.report_logs import at

SECTIONS = [
    "## 1. Executive summary",
    "## 2. Cutover timeline",
    "## 3. Success metrics",
    "## 4. Issues encountered",
    "## 5. Rollback events",
    "## 6. Data validation results",
    "## 7. Performance comparison",
    "## 8. Lessons learned",
    "## 9. Recommendations",
    "## 10. Appendices",
]


@pytest.fixture(scope="module")
def files(success, r2):
    """The rendered files of the success and the R2 logs."""
    return {"success": render_files(success[0]).files, "r2": render_files(r2[0]).files}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_markdown_has_the_ten_sections_in_order_and_the_figures(files):
    md = files["success"]["report.md"].decode()
    positions = [md.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    assert (
        "| Duration | 9m10s (target 51m: the plan's critical path, since the runbook's overall target of 10m is shorter than its own steps) |"
        in md
    )
    assert "| Actual recovery time | 7m (health checks green in us-west-2: step 3.1 done) |" in md
    assert "| Total downtime | 9m10s against the 1h00m SLA: within the SLA |" in md
    assert "**GREEN**" in md and "| Client reconnection | > 95% | not measured | - |" in md
    assert "| 1B DocumentDB Failover | 02:01:30 UTC | 02:04:30 UTC | 3m | 7m | done |" in md
    assert "Hash chain intact:" in md


def test_markdown_of_the_r2_names_the_breaches(files):
    md = files["r2"]["report.md"].decode()
    assert "| Total downtime | 1h13m against the 1h00m SLA: **SLA exceeded** (includes 45m paused) |" in md
    assert (
        "| R2 (Full) | AMQP down for more than 5 minutes |" in md and "| 1h06m | 19m (**over**) | yes |" in md
    )
    assert "| MSK message counts | fail (5 messages lost) |" in md
    assert "Revisit the timeout of step R2.6 (Data Consistency Validation): it took 7m against 5m." in md
    assert "**never acknowledged**" in md
    assert "Rachel Grant at 2026-12-01 01:50:00 UTC: accepted risk" in md


def test_html_is_self_contained_and_embeds_the_chart(files):
    page = files["success"]["report.html"].decode()
    references = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', page)
    assert references and all(ref.startswith("data:") for ref in references)
    assert not re.search(r"<(link|script)\b", page) and "@import" not in page and "url(" not in page
    embedded = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page).group(1)
    assert base64.b64decode(embedded) == files["success"]["timeline.png"]
    assert "<style>" in page and "1. Executive summary" in page and "10. Appendices" in page


def test_png_is_a_chart_of_sensible_size(files):
    for name in ("success", "r2"):
        width, height = png_size(files[name]["timeline.png"])
        assert 600 <= width <= 2000 and 250 <= height <= 1500
        assert len(files[name]["timeline.png"]) > 10_000  # bars and labels, not an empty canvas


def test_people_s_text_is_escaped_in_html_and_kept_in_one_markdown_cell(plan, roster):
    def noted(bot):
        report_logs.prepare(bot, baseline=False)
        report_logs.run(bot, report_logs.PHASE0[:1])
        at(bot, 60)
        bot.ok("note issue <script>alert(1)</script> a|b", bot.person("operations"))
        # control characters (the kind a naive row separator would use) arrive straight in the log
        report_logs.append(
            bot,
            "note.added",
            {"category": "lesson", "text": "a\x1db\x1ec stays in its row"},
            bot.person("operations"),
        )

    report, _ = report_of(built(plan, roster, noted), plan, roster)
    out = render_files(report).files
    page = out["report.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; a|b" in page
    md = out["report.md"].decode()
    assert "<script>alert(1)</script> a\\|b" in md
    appendix = md.split("### Appendix A")[1].split("### Appendix B")[0]
    rows = [line for line in appendix.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [int(row.split(" | ")[0][2:]) for row in rows] == [e.seq for e in report.timeline]
    assert page.count("<tr><td>") >= len(report.timeline)


def test_a_cutover_that_never_started_still_renders(plan, roster):
    def planned_only(bot):
        bot.ok("schedule 2026-12-02 02:00", bot.person("incident_commander"))

    report, _ = report_of(built(plan, roster, planned_only), plan, roster)
    out = render_files(report).files
    assert "| Cutover date/time | not started" in out["report.md"].decode()
    png_size(out["timeline.png"])
