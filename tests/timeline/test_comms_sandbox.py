"""Runbook data never runs code: communication subjects and templates render in Jinja2's sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jinja2.exceptions import SecurityError

from bot.cli import main
from bot.timeline.comms import template_problems
from cutover.plan.model import Runbook, default_runbook_path
from templates.render import render_text_sandboxed


def runbook_with_subject(tmp_path: Path, subject: str, template: str | None = None) -> Path:
    data = yaml.safe_load(default_runbook_path().read_text(encoding="utf-8"))
    data["communications"]["messages"][0]["subject"] = subject
    if template is not None:
        data["communications"]["messages"][0]["template"] = template
    path = tmp_path / "runbook.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def escapes(marker: Path) -> list[str]:
    """Subjects that would run a shell command outside a sandbox."""
    shell = f"touch {marker}"
    return [
        "{{ cycler.__init__.__globals__.os.popen('" + shell + "').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ message.__class__.__init__.__globals__ }}",
        "{{ plan.communications.messages.append(1) }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ]


@pytest.mark.parametrize("case", range(5))
def test_plan_check_rejects_a_subject_that_escapes_the_sandbox_and_runs_nothing(tmp_path, capsys, case):
    marker = tmp_path / "pwned"
    path = runbook_with_subject(tmp_path, escapes(marker)[case])
    assert main(["plan", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: communications.messages[0].subject:" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()


def test_plan_check_rejects_unknown_variables_and_templates(tmp_path, capsys):
    path = runbook_with_subject(tmp_path, "Maintenance {{ windw }}", template="comms/nope.j2")
    assert main(["plan", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "communications.messages[0].subject: does not render (UndefinedError: 'windw' is undefined)" in err
    assert "communications.messages[0].template: no template named 'comms/nope.j2'" in err


def test_the_shipped_communications_render_in_the_sandbox():
    data = yaml.safe_load(default_runbook_path().read_text(encoding="utf-8"))
    assert template_problems(Runbook.model_validate(data)) == []


def test_sending_refuses_too_even_if_the_check_was_skipped(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(SecurityError):
        render_text_sandboxed(escapes(marker)[0], None, message=None)
    assert not marker.exists()
