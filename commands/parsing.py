"""Reading the words of a /cutover command, and naming the nearest valid ids when they are wrong."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from cutover.errors import BadArguments
from cutover.plan.model import Runbook


@dataclass(frozen=True)
class Words:
    """The words after the verb, with the verb's usage for error messages."""

    verb: str
    items: tuple[str, ...]
    usage: str

    def get(self, index: int, name: str) -> str:
        """The word at index, or a BadArguments naming what is missing."""
        if index >= len(self.items):
            raise BadArguments(f"missing {name}", usage=self.usage)
        return self.items[index]

    def rest(self, index: int, name: str | None = None) -> str:
        """The words from index on, joined; required when a name is given."""
        text = " ".join(self.items[index:]).strip()
        if not text and name:
            raise BadArguments(f"missing {name}", usage=self.usage)
        return text

    def choice(self, index: int, name: str, choices: tuple[str, ...]) -> str:
        """A word that must be one of the choices (case-insensitive)."""
        word = self.get(index, name).lower()
        if word not in choices:
            raise BadArguments(f"{name} is one of {' | '.join(choices)}, not {word!r}", usage=self.usage)
        return word


def split(text: str) -> tuple[str, tuple[str, ...]]:
    """Split the command text into the verb (lower case) and the remaining words."""
    words = text.strip().split()
    if not words:
        return "", ()
    return words[0].lower(), tuple(words[1:])


def nearest(word: str, candidates: list[str], limit: int = 3) -> list[str]:
    """The candidates closest to a mistyped word."""
    return difflib.get_close_matches(word, candidates, n=limit, cutoff=0.5)


def step_id(plan: Runbook, raw: str, usage: str) -> str:
    """A step id (execution or rollback), normalised to the runbook's spelling, or a helpful error."""
    wanted = raw.strip().upper()
    known = {sid.upper(): sid for sid in [*plan.steps_by_id, *plan.rollback_steps_by_id]}
    if wanted in known:
        return known[wanted]
    prefix = wanted.split(".")[0]
    phase = plan.phases_by_id.get(prefix) or next((p for p in plan.phases if p.id.upper() == prefix), None)
    if phase is not None:
        ids = [s.id for s in phase.steps]
        raise BadArguments(f"no step {raw}; Phase {phase.id} has {_span(ids)}", usage=usage)
    rollback = plan.rollbacks_by_id.get(prefix)
    if rollback is not None:
        ids = [s.id for s in rollback.steps]
        raise BadArguments(f"no step {raw}; rollback {rollback.id} has {_span(ids)}", usage=usage)
    close = nearest(wanted, list(known))
    hint = f"; did you mean {', '.join(known[c] for c in close)}?" if close else ""
    raise BadArguments(f"no step {raw}{hint} (`/cutover plan` lists every step)", usage=usage)


def gate_number(plan: Runbook, raw: str, usage: str) -> int:
    """A gate number from "2", "G2" or "gate2", or a helpful error."""
    match = re.fullmatch(r"(?i)(?:g|gate)?\s*(\d+)", raw.strip())
    numbers = sorted(plan.gates_by_number)
    span = f"Gates {numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else f"Gate {numbers[0]}"
    if not match:
        raise BadArguments(f"{raw!r} is not a gate number; the runbook has {span}", usage=usage)
    number = int(match.group(1))
    if number not in plan.gates_by_number:
        raise BadArguments(f"no Gate {number}; the runbook has {span}", usage=usage)
    return number


def rollback_id(plan: Runbook, raw: str, usage: str) -> str:
    """A rollback procedure id (R1, R2, R3), or a helpful error."""
    wanted = raw.strip().upper()
    if wanted in plan.rollbacks_by_id:
        return wanted
    ids = ", ".join(f"{r.id} ({r.name.lower()}, {r.rto.total_seconds() / 60:g} min)" for r in plan.rollbacks)
    raise BadArguments(f"no rollback procedure {raw}; the runbook has {ids}", usage=usage)


def _span(ids: list[str]) -> str:
    return f"{ids[0]}-{ids[-1]}" if len(ids) > 1 else ids[0]
