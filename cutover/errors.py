"""Domain errors. Each carries a message a person understands; the transport turns it into a reply."""

from __future__ import annotations


class CutoverError(Exception):
    """Base of every refusal the bot explains to a person; nothing changed when one is raised."""

    template = "error/refused.j2"

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class InvalidTransition(CutoverError):
    """The command is not possible in the cutover's current state."""

    template = "error/invalid_transition.j2"


class BadArguments(CutoverError):
    """The command's words are wrong: unknown verb, missing argument, unknown id."""

    template = "error/bad_arguments.j2"


class PermissionDenied(CutoverError):
    """The RACI matrix does not allow this actor to do this."""

    template = "error/permission_denied.j2"


class PlanError(Exception):
    """A runbook or roster file is invalid; the message names the file, the field path and the problem."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))

    def lines(self) -> list[str]:
        """One line per problem, each starting with the file."""
        return [f"{self.path}: {problem}" for problem in self.problems]
