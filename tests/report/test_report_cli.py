"""`cutover-bot report --cutover ID --out DIR` writes the three files."""

from __future__ import annotations

from bot.cli import main
from cutover.plan.model import default_runbook_path
from cutover.roster import default_roster_path
from tests.report.conftest import built
from tests.support import report_logs


def test_the_cli_writes_markdown_html_and_png(plan, roster, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    bot = built(plan, roster, report_logs.success_log, url=url)
    out = tmp_path / "report"
    code = main(
        [
            "report",
            "--cutover",
            bot.state.cutover_id,
            "--out",
            str(out),
            "--db",
            url,
            "--runbook",
            str(default_runbook_path()),
            "--roster",
            str(default_roster_path()),
        ]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md", "timeline.png"]
    md = (out / "report.md").read_text()
    assert (
        "| Duration | 9m10s (target 51m: the plan's critical path, since the runbook's overall target of 10m is shorter than its own steps) |"
        in md
        and "Dana Reyes" in md
    )
    assert (out / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote " in capsys.readouterr().out


def test_the_cli_names_the_cutovers_it_knows_when_asked_for_another(plan, roster, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cutover.db'}"
    built(plan, roster, report_logs.r1_log, url=url)
    code = main(
        [
            "report",
            "--cutover",
            "nope",
            "--out",
            str(tmp_path / "x"),
            "--db",
            url,
            "--runbook",
            str(default_runbook_path()),
        ]
    )
    assert code == 2
    assert "no cutover 'nope'" in capsys.readouterr().err and not (tmp_path / "x").exists()
