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
