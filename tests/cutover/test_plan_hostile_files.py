"""`plan check` on hostile files: each a clear error naming the file and the field, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from cutover.plan.model import default_runbook_path

SHIPPED = default_runbook_path().read_text(encoding="utf-8")


def edited(change) -> str:
    data = yaml.safe_load(SHIPPED)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def setter(path: str, value):
    """A change that sets data[a][b]... = value (`phases.0.steps.0.timeout`)."""

    def change(data):
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            data = data[part]
        data[last] = value

    return change


CASES = {
    "non-utf8": (b"id: nxop\ntitle: \xff\xfe broken\n", "line 2: not UTF-8 text"),
    "deep nesting": ("x: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    "deep mappings": ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 3000)), None),
    "huge integer": ("id: " + "9" * 5000 + "\n", "a value cannot be read"),
    "huge duration": (
        edited(setter("phases.0.steps.0.timeout", "99999999999999999999d")),
        "phases[0].steps[0].timeout: a duration is at most",
    ),
    "infinite duration": (
        edited(setter("phases.0.steps.0.timeout", float("inf"))),
        "phases[0].steps[0].timeout: a duration is at most",
    ),
    "zero timeout": (
        edited(setter("phases.0.steps.0.timeout", "0s")),
        "phases[0].steps[0].timeout: must be longer than zero",
    ),
    "negative gate timeout": (
        edited(setter("gates.0.timeout", "-5m")),
        "gates[0].timeout: must be longer than zero",
    ),
    "1 ms cadence": (edited(setter("status_cadence", "0.001s")), "status_cadence: must be at least 30s"),
    "10 s lead cadence": (
        edited(setter("lead_report_cadence", 10)),
        "lead_report_cadence: must be at least 30s",
    ),
    "empty start authority": (
        edited(setter("authority.start", [])),
        "authority.start: List should have at least 1 item",
    ),
    "empty rollback authority": (
        edited(setter("authority.rollback.R1", [])),
        "authority.rollback.R1: List should have at least 1 item",
    ),
    "duplicate key": (SHIPPED.replace("title: ", "title: first\ntitle: ", 1), "duplicate key 'title'"),
    "a list, not a mapping": ("- 1\n- 2\n", "a runbook is a mapping"),
    "empty file": ("", "a runbook is a mapping"),
    "binary": (bytes(range(256)), "not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_plan_check_names_the_file_and_the_field_of_each_hostile_file(tmp_path, capsys, case):
    content, expected = CASES[case]
    path = tmp_path / "runbook.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert main(["plan", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
    assert all(line.startswith(f"{path}: ") for line in err.strip().splitlines())
    if expected:
        assert expected in err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_plan_check_never_tracebacks_on_a_mutated_runbook(tmp_path_factory, data):
    """Replace one scalar of the shipped runbook with an odd value: exit 0 or 2, never an exception."""
    loaded = yaml.safe_load(SHIPPED)
    paths = list(_scalar_paths(loaded))
    where = data.draw(st.sampled_from(paths))
    odd = data.draw(
        st.one_of(
            st.integers(min_value=-(10**30), max_value=10**30),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=40),
            st.none(),
            st.booleans(),
            st.lists(st.integers(), max_size=3),
        )
    )
    target = loaded
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = odd
    path = Path(tmp_path_factory.mktemp("fuzz")) / "runbook.yaml"
    path.write_text(yaml.safe_dump(loaded), encoding="utf-8")
    assert main(["plan", "check", str(path)]) in (0, 2)


@pytest.mark.parametrize("odd", [[1, 2], {"a": 1}, None, 7])
@pytest.mark.parametrize("field", ["id", "include"])
def test_plan_check_answers_in_one_line_when_a_rollback_id_or_include_is_not_a_string(
    tmp_path, capsys, field, odd
):
    """Found by the fuzz above: a list as a rollback's id (or as what a step includes) crashed the loader."""
    loaded = yaml.safe_load(SHIPPED)
    r3 = next(r for r in loaded["rollbacks"] if r["id"] == "R3")
    if field == "id":
        next(r for r in loaded["rollbacks"] if r["id"] == "R2")["id"] = odd
    else:
        next(s for s in r3["steps"] if "include" in s)["include"] = odd
    path = tmp_path / "runbook.yaml"
    path.write_text(yaml.safe_dump(loaded), encoding="utf-8")
    assert main(["plan", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "runbook.yaml: rollbacks" in err and "Traceback" not in err


def _scalar_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _scalar_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _scalar_paths(value, (*prefix, i))
    else:
        yield prefix
