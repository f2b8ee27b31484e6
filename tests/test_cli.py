"""The command line: plan check/show and audit verify, with clear errors and exit codes."""

from __future__ import annotations

from pathlib import Path

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
    assert "RTO: 3m30s" in out and "Post-rollback validation" in out


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
