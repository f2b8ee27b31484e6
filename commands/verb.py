"""The shape of a /cutover verb: how it reads its words, what permission it needs, what it does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commands.context import Ctx, Outcome
from commands.parsing import Words
from cutover.errors import BadArguments
from cutover.plan.model import Runbook
from cutover.raci import Action

Args = dict[str, Any]


@dataclass(frozen=True)
class Verb:
    """One row of the verb table; its help line is the handler's docstring."""

    name: str
    usage: str
    handle: Callable[[Ctx, Args], Outcome]
    parse: Callable[[Runbook, Words], Args]
    action: Callable[[Args], Action]
    examples: Callable[[Runbook], list[Action]]
    confirm: bool = False
    records: bool = True  # False: only reads; a repeated request is answered again, not "already applied"

    @property
    def help(self) -> str:
        """The first line of the handler's docstring."""
        return (self.handle.__doc__ or "").strip().splitlines()[0]


def no_words(plan: Runbook, words: Words) -> Args:
    """A verb that takes no arguments ignores nothing silently: extra words are an error."""
    if words.items:
        raise BadArguments(f"`{words.verb}` takes no arguments", usage=words.usage)
    return {}


def fixed(name: str) -> Callable[[Args], Action]:
    """An action that does not depend on the arguments."""
    return lambda args: Action(name)


def one_example(name: str) -> Callable[[Runbook], list[Action]]:
    """The dry-run action for a verb whose permission does not depend on arguments."""
    return lambda plan: [Action(name)]
