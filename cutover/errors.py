"""Domain errors: a refusal carries a reason code and its data; templates/error/reason.j2 words it.

`InvalidTransition.because("step_in_progress", step="1.2", by="U01")` is how the domain refuses:
no English, no Slack markup. Layers above may still pass a ready sentence as `message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self


class CutoverError(Exception):
    """Base of every refusal the bot explains to a person; nothing changed when one is raised."""

    template = "error/refused.j2"

    def __init__(self, message: str = "", **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.reason = ""
        self.data: dict[str, Any] = {}
        self.context = context

    @classmethod
    def because(cls, reason: str, /, **data: Any) -> Self:
        """A refusal for a reason (a code the templates word) with the data the sentence needs."""
        error = cls()
        error.reason, error.data = reason, data
        error.args = (reason,)
        return error

    def __str__(self) -> str:
        if self.message:
            return self.message
        if self.reason:
            return f"{self.reason} {self.data}"
        return f"{type(self).__name__} {self.context}"  # worded by its template alone: say what it is in a log line


class InvalidTransition(CutoverError):
    """The command is not possible in the cutover's current state."""

    template = "error/invalid_transition.j2"


class BadArguments(CutoverError):
    """The command's words are wrong: unknown verb, missing argument, unknown id."""

    template = "error/bad_arguments.j2"


class PermissionDenied(CutoverError):
    """The RACI matrix does not allow this actor to do this."""

    template = "error/permission_denied.j2"


class LogFailedVerification(CutoverError):
    """The event log failed verification: the bot changes nothing until it is restored (reading still works)."""

    template = "error/log_failed_verification.j2"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a runbook or roster file: where (a field path such as
    `phases[1].steps[0].timeout`, a role key, or "" for the whole document), a code and its data.
    templates/cli/_plan_problem.j2 words it: `runbook.yaml: phases[1].steps[0].timeout: required field is missing`."""

    where: str
    code: str
    data: dict[str, Any] = field(default_factory=dict)


class ProblemValue(ValueError):
    """Raised by the schema's validators: pydantic keeps the exception, `validation_problems` reads its
    problems (their `where` relative to the field that failed)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = list(problems)


class PlanError(Exception):
    """A runbook or roster file is invalid: the file and its problems (one line each once worded)."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(f"{p.where}: {p.code}" for p in problems))
