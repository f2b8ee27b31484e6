"""The command line: plan check/show and audit verify, with clear errors and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlmodel import Session

from bot.cli import main
from cutover.plan.model import default_runbook_path
from cutover.roster import default_roster_path
from storage.db import create_db_engine
from tests.conftest import T0
from tests.support.bot import CommandBot


def test_plan_check_accepts_the_shipped_runbook_and_roster(capsys):
    code = main(["plan", "check", str(default_runbook_path()), "--roster", str(default_roster_path())])
    out = capsys.readouterr().out
    assert code == 0
    assert "OK (6 phases, 19 steps, 5 gates, 3 rollback procedures; roster" in out


def test_plan_check_warns_where_the_runbook_contradicts_itself(tmp_path, capsys):
    data = yaml.safe_load(Path(default_runbook_path()).read_text())
    gate5 = next(g for g in data["gates"] if g["number"] == 5)
    gate5["timeout"] = "10m"  # the seed's figure, against Phase 3's 19 minutes of step timeouts
    data["rulings"] = []
    contradicting = tmp_path / "contradicting.yaml"
    contradicting.write_text(yaml.safe_dump(data))
    assert main(["plan", "check", str(contradicting)]) == 0
    out = capsys.readouterr().out
    assert (
        f"{contradicting}: warning: the phase targets on the critical path add up to 36m "
        "(1B 7m + 2B 10m + 3 19m) against an overall target of 10m" in out
    )
    assert (
        f"{contradicting}: warning: Phase 3's step timeouts add up to 19m against Gate 5's timeout of 10m"
        in out
    )


def test_the_shipped_runbook_is_consistent_or_says_which_number_rules(capsys):
    assert main(["plan", "check", str(default_runbook_path())]) == 0
    out = capsys.readouterr().out
    assert "warning" not in out
    assert "ruled: the phase targets on the critical path add up to 36m" in out
    assert "the runbook says the overall target (10 minutes) rules" in out


def test_plan_check_rejects_a_bad_file_with_path_and_reason_and_no_traceback(tmp_path, capsys):
    data = yaml.safe_load(Path(default_runbook_path()).read_text())
    del data["phases"][1]["steps"][0]["timeout"]
    data["phases"][2]["steps"][1]["raci"]["R"] = ["dba"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    code = main(["plan", "check", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}: phases[1].steps[0].timeout: required field is missing" in err
    assert "Traceback" not in err


def test_plan_show_a_rollback(capsys):
    assert main(["plan", "show", "R1"]) == 0
    out = capsys.readouterr().out
    assert "RTO: 3.5 min" in out and "Post-rollback validation" in out


def test_plan_show_unknown_ref_is_one_clear_line(capsys):
    assert main(["plan", "show", "1A.9"]) == 2
    assert "no step 1A.9; Phase 1A has 1A.1-1A.4" in capsys.readouterr().err


def test_audit_verify_reports_ok_then_the_first_modified_row(plan, roster, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    bot = CommandBot(plan, roster, url, T0)
    bot.to_started()
    assert main(["audit", "verify", "--db", url]) == 0
    assert f"OK, {bot.state.seq} events, hash chain intact" in capsys.readouterr().out
    with Session(create_db_engine(url)) as session:
        session.execute(text("UPDATE events SET actor = 'U0MALLORY' WHERE seq = 4"))
        session.commit()
    assert main(["audit", "verify", "--db", url]) == 1
    assert "FAILED at row 4" in capsys.readouterr().out


UNREACHABLE = "postgresql+psycopg://postgres:hunter2@127.0.0.1:9/none?connect_timeout=2"


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "verify", "--db", UNREACHABLE],
        ["audit", "verify", "--db", "not a url"],
        ["audit", "verify", "--db", "sqlite:////nonexistent-dir/sub/cutover.db"],
        ["report", "--cutover", "c1", "--out", "/tmp/cutover-hardening-report", "--db", UNREACHABLE],
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_without_the_password(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("cutover-bot: the database cannot be ")
    assert "hunter2" not in err and "Traceback" not in err
