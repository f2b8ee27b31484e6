"""The domain refuses with reason codes and data; templates/error/reason.j2 words every one of them."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.slack.replies import error_text, refusal_words
from cutover.errors import BadArguments, CutoverError, InvalidTransition

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"CutoverError", "InvalidTransition", "BadArguments", "PermissionDenied"}


def _raises(path: Path):
    """Every `raise <DomainError>(...)` and `<DomainError>.because(...)` call in a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ERRORS:
                yield "sentence", node
            elif isinstance(func, ast.Attribute) and func.attr == "because":
                yield "because", node


def domain_modules() -> list[Path]:
    return sorted((ROOT / "cutover").rglob("*.py"))


def test_the_domain_refuses_with_reason_codes_not_sentences():
    sentences = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in domain_modules()
        for kind, node in _raises(path)
        if kind == "sentence"
    ]
    assert sentences == []


def test_every_reason_the_domain_gives_has_its_sentence_in_the_template():
    codes = {
        node.args[0].value
        for path in domain_modules()
        for kind, node in _raises(path)
        if kind == "because" and node.args and isinstance(node.args[0], ast.Constant)
    }
    worded = set(re.findall(r'r == "([a-z_]+)"', (ROOT / "templates/error/reason.j2").read_text()))
    assert len(codes) > 30
    assert codes - worded == set()


def test_a_reason_is_worded_with_its_data_and_people_text_is_escaped():
    error = InvalidTransition.because("paused_step", step="1A.2", reason="<!channel> & co")
    assert refusal_words(error) == (
        "the cutover is paused (&lt;!channel&gt; &amp; co); resume it before starting 1A.2"
    )
    assert error_text(error).startswith(":no_entry: Not done: the cutover is paused")
    past = InvalidTransition.because(
        "window_in_past",
        start=datetime(2026, 1, 1, 2, 0, tzinfo=UTC),
        now=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )
    assert (
        refusal_words(past)
        == "the window start 2026-01-01 02:00 UTC is in the past (now 2026-01-02 03:04 UTC)"
    )
    assert refusal_words(BadArguments.because("note_category", value="<b>")) == (
        "a note is an issue or a lesson, not '&lt;b&gt;'"
    )


def test_a_sentence_from_outside_the_domain_is_shown_as_given():
    assert (
        refusal_words(CutoverError("the cutover is changing too fast")) == "the cutover is changing too fast"
    )


# --- advice, checklist items and monitoring judgements: codes and data, worded by templates ----------

CODED = {
    # constructor: the template that words it, and (argument position, how the template tests its codes)
    "Recommendation": ("templates/replies/_recommendation.j2", [(2, r'rec\.code == "([a-z_]+)"')]),
    "Item": ("templates/gonogo/_words.j2", [(4, r'r == "([a-z_]+)"')]),
    "Judgement": (
        "templates/time/_monitoring_words.j2",
        [(2, r'j\.bound == "([a-z_]+)"'), (5, r'j\.note == "([a-z_]+)"')],
    ),
    # a bad runbook or roster file: `runbook.yaml: phases[1].steps[0].timeout: required field is missing`
    "Problem": ("templates/cli/_plan_problem.j2", [(1, r'c == "([a-z0-9_]+)"')]),
}
UNWORDED = ("PlanError", "ProblemValue", "ValueError")  # what carries problems: never a sentence either


def _calls_of(name: str):
    """Every call `name(...)` in cutover/, with its module's tree."""
    for path in domain_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                yield path, tree, node


def _sentence(node: ast.expr) -> bool:
    """A string literal or f-string whose own text has a space in it: words, not a code or a key."""
    if isinstance(node, ast.List | ast.Tuple):
        return any(_sentence(e) for e in node.elts)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and " " in str(v.value) for v in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value


def _codes(tree: ast.Module, node: ast.expr, depth: int = 0) -> set[str]:
    """The literal codes an argument can be: a literal, a conditional of literals, or a name assigned those."""
    if depth > 3:
        return set()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes(tree, node.body, depth + 1) | _codes(tree, node.orelse, depth + 1)
    if isinstance(node, ast.Name):
        return {
            code
            for stmt in ast.walk(tree)
            if isinstance(stmt, ast.Assign) and [getattr(t, "id", None) for t in stmt.targets] == [node.id]
            for code in _codes(tree, stmt.value, depth + 1)
        }
    return set()


def test_advice_checklist_items_judgements_and_plan_problems_are_codes_and_data_not_sentences():
    found = []
    for name in [*CODED, *UNWORDED]:
        calls = list(_calls_of(name))
        assert calls or name in UNWORDED, (
            f"no {name}(...) in cutover/: the test no longer looks where the code is"
        )
        found += [
            f"{path.relative_to(ROOT)}:{arg.lineno} {name}"
            for path, _, call in calls
            for arg in [*call.args, *(k.value for k in call.keywords)]
            if _sentence(arg)
        ]
    assert found == []


def test_every_code_of_advice_checklist_items_and_judgements_has_its_words_in_the_template():
    for name, (template, places) in CODED.items():
        text = (ROOT / template).read_text(encoding="utf-8")
        for position, pattern in places:
            codes = {
                code
                for _, tree, call in _calls_of(name)
                if len(call.args) > position
                for code in _codes(tree, call.args[position])
                if code  # "": nothing to say
            }
            assert len(codes) >= 2, (name, position, codes)
            worded = set(re.findall(pattern, text))
            assert codes - worded == set(), f"{name}: codes without words in {template}"


def test_the_runbook_recommendation_is_worded_by_its_template_not_carried_as_a_sentence():
    from cutover.decisions import Recommendation

    assert "why" not in Recommendation.__dataclass_fields__
    words = (ROOT / "templates/replies/_recommendation.j2").read_text(encoding="utf-8")
    assert "rec.why" not in words


# --- cancelled communications, the report's labels, the audit of the log: codes, worded by templates ----


def _macros(template: str):
    from templates.render import environment

    return environment().get_template(template).module


def _returned_codes(path: Path, function: str) -> set[str]:
    """The first element of every `return (code, ...)` of a function: a literal code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    return {
        r.value.elts[0].value
        for r in ast.walk(body)
        if isinstance(r, ast.Return)
        and isinstance(r.value, ast.Tuple)
        and isinstance(r.value.elts[0], ast.Constant)
    }


CANCELLED = {  # the sentences logs written before codes hold: a new event's code is worded exactly so
    "aborted": "the cutover was aborted",
    "complete_before_due": "the cutover was complete before it was due",
    "superseded": "superseded: the cutover started before it was due",
    "no_rollback": "no rollback: the cutover ended without one",
    "no_emergency": "no emergency: the cutover ended without a failed rollback",
}


def test_a_cancelled_communication_carries_a_code_worded_as_the_old_sentence():
    codes = _returned_codes(ROOT / "cutover/timeline/comms.py", "_cancel_reason")
    assert codes == set(CANCELLED)
    words = _macros("time/_cancel_words.j2")
    for code, sentence in CANCELLED.items():
        assert str(words.cancelled(code)) == sentence


def test_a_log_written_before_codes_still_says_why_a_communication_was_cancelled():
    from cutover.events import Recorded, event_from
    from cutover.state import fold
    from cutover.timeline.comms import CommView

    old = event_from("comm.cancelled", {"comm_id": "T1", "reason": "the cutover was aborted"})
    new = event_from("comm.cancelled", {"comm_id": "T2", "code": "superseded"})
    at = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    state = fold("c1", [Recorded(1, at, "bot", old), Recorded(2, at, "bot", new)])
    rows = [
        CommView(
            i,
            "Subject",
            ["ops"],
            at,
            "cancelled",
            None,
            at - at,
            r.cancel_reason,
            False,
            [],
            [],
            "window",
            r.cancel_code,
        )
        for i, r in (("T1", state.time.comm("T1")), ("T2", state.time.comm("T2")))
    ]
    from templates.render import render

    text = render("time/comms_list.j2", rows=rows, state=state, now=at)
    assert "cancelled (the cutover was aborted)" in text
    assert "cancelled (superseded: the cutover started before it was due)" in text
    assert state.time.comm("T2").cancel_reason == ""  # the new event carries no sentence


REPORT_WORDS = {  # code -> the words the report always printed for it
    "msk": "MSK message counts",
    "documentdb": "DocumentDB record counts",
    "s3": "S3 object counts",
    "consumer_lag": "Consumer lag",
    "flows": "End-to-end flow tests",
    "latency": "Latency (P95)",
    "throughput": "Throughput",
    "error_rate": "Error rate",
    "cpu": "CPU utilization",
    "memory": "Memory utilization",
    "network": "Network throughput",
    "data_loss": "Data loss",
    "availability": "Service availability",
    "latency_impact": "Performance impact (P95 latency)",
    "error_rate_worst": "Error rate (worst checkpoint)",
    "client_reconnection": "Client reconnection",
    "replication_lag_worst": "Replication lag (worst checkpoint)",
    "planned_maintenance_excluded": "over the monitored period, planned maintenance excluded",
}
REPORT_STATUS = {
    "not_measured": "not measured",
    "in_progress": "in progress",
    "not_started": "not started",
    "not_recorded": "not recorded",
    "not_stated": "not stated",
}


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_the_report_rules_and_sections_hold_codes_not_labels():
    from cutover.report.rules import METRIC_KEYS, SOURCES

    units = {" messages/records/objects", " s"}  # units, printed after a figure
    sentences = [
        f"{module}:{line} {text!r}"
        for module in ("cutover/report/rules.py", "cutover/report/sections.py", "cutover/report/advice.py")
        for line, text in _literals(ROOT / module)
        if " " in text and text not in units
    ]
    assert sentences == []
    say = _macros("report/_sentences.j2")
    for code, words in REPORT_WORDS.items():
        assert str(say.label(code)) == words
    for code, words in REPORT_STATUS.items():
        assert str(say.status(code)) == words
    assert str(say.phase("after_cutover")) == "after the cutover"
    assert str(say.phase("before_start")) == "before the start"
    assert str(say.phase("2B")) == "2B" and str(say.label("disk")) == "disk"  # a runbook's own names as given
    assert {key for key, _ in SOURCES} | set(METRIC_KEYS) <= set(REPORT_WORDS)
    from cutover.report.advice import CATEGORIES

    titles = [str(say.category(key)) for key in CATEGORIES]
    assert titles == [
        "Process improvements",
        "Technical improvements",
        "Documentation updates",
        "Training needs",
    ]


def test_a_rollback_that_was_never_ordered_is_a_code_not_a_sentence():
    import pytest

    from cutover.state import CutoverState

    with pytest.raises(LookupError) as raised:
        CutoverState(cutover_id="c1").ordered_rollback  # noqa: B018 - the property raises
    assert raised.value.args == ("no_rollback_ordered", "c1")


AUDIT = [  # (code, data, the sentence `audit verify` always printed)
    ("row_missing", {"seq": 2, "next": 3}, "row 2 is missing (deleted): the log jumps to 3"),
    ("row_twice", {"seq": 2}, "row 2 appears twice (inserted)"),
    (
        "row_out_of_chain",
        {"seq": 3, "previous": 2},
        "row 3 does not follow row 2 (a row was inserted or deleted)",
    ),
    ("row_unreadable", {"seq": 4}, "row 4 cannot be read (modified)"),
    ("row_modified", {"seq": 7, "kind": "step.done"}, "row 7 (step.done) was modified after it was written"),
    (
        "row_not_signed",
        {"seq": 5, "kind": "note.added"},
        "row 5 (note.added) is not signed with the audit key (forged)",
    ),
    (
        "row_differs_from_anchor",
        {"seq": 4, "kind": "note.added", "origin": ""},
        "row 4 (note.added) differs from its anchor (the chain was recomputed)",
    ),
    (
        "row_differs_from_anchor",
        {"seq": 4, "kind": "note.added", "origin": "in s3://audit/c1.json"},
        "row 4 (note.added) differs from its anchor in s3://audit/c1.json (the chain was recomputed)",
    ),
    ("rows_deleted", {"last": 9, "origin": ""}, "the cutover has no rows, but its anchors saw 9 (deleted)"),
    (
        "rows_truncated",
        {"first": 3, "last": 9, "origin": ""},
        "rows 3 to 9 are missing: the anchors saw them (truncated)",
    ),
    ("rows_unanchored", {"first": 3}, "row 3 and after were never anchored (appended outside the bot)"),
]


def test_the_audit_of_the_log_gives_codes_and_data_worded_by_a_template():
    from storage.eventlog import AuditResult
    from templates.render import render

    calls = [
        node
        for node in ast.walk(ast.parse((ROOT / "storage/eventlog.py").read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("AuditResult", "bad")
    ]
    position = {"AuditResult": 4, "bad": 1}  # where each call gives the problem
    given = [c.args[position[c.func.id]] for c in calls if len(c.args) > position[c.func.id]]  # type: ignore[attr-defined]
    passed_on = [g for g in given if isinstance(g, ast.Name) and g.id == "problem"]  # bad() hands its code on
    assert all(isinstance(g, ast.Constant) for g in given if g not in passed_on), (
        "a problem that is not a code"
    )
    made = {g.value for g in given if isinstance(g, ast.Constant)}
    assert made == {code for code, _, _ in AUDIT}
    for code, data, sentence in AUDIT:
        result = AuditResult("c1", False, 10, 3, code, data)
        assert render("cli/audit_result.j2", result=result) == f"c1: FAILED at row 3: {sentence}"
        assert f"FAILED verification at row 3: {sentence}." in render("replies/audit.j2", result=result)
    sentence = AuditResult("c1", False, 10, 3, "the anchor file <was> edited")  # not a code: as given
    assert (
        render("cli/audit_result.j2", result=sentence) == "c1: FAILED at row 3: the anchor file <was> edited"
    )
    assert "at row 3: the anchor file &lt;was&gt; edited." in render("slack/audit_failed.j2", result=sentence)


def test_a_refusal_worded_only_by_its_template_still_says_what_it_is_in_a_log_line():
    from cutover.errors import LogFailedVerification

    error = LogFailedVerification(cutover_id="c-1", first_bad_seq=4)
    assert str(error) == "LogFailedVerification {'cutover_id': 'c-1', 'first_bad_seq': 4}"
