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
