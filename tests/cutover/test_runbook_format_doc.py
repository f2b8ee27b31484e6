"""docs/runbook-format.md describes every field of the runbook and the roster (it fails when a field is added undocumented)."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from cutover.plan.model import Runbook

DOC = Path(__file__).resolve().parents[2] / "docs" / "runbook-format.md"


def models(root: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def walk(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for f in model.model_fields.values():
            for arg in (f.annotation, *typing.get_args(f.annotation)):
                for inner in typing.get_args(arg) or (arg,):
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        walk(inner)

    walk(root)
    return found


def test_every_runbook_field_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"{m.__name__}.{name}"
        for m in models(Runbook)
        for name in m.model_fields
        if f"`{name}`" not in text and f"`{name}[]`" not in text
    ]
    assert missing == []


def test_every_roster_field_is_documented():
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{name}`" in text for name in ("slack_id", "name", "email", "on_call"))
