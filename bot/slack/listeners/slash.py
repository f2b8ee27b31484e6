"""The /cutover slash command: run the command and answer in the ack.

The whole command is fast (the RACI decision, the state and the append are local), so the answer
rides on the ack itself. Typed commands that the verb table marks `confirm` (start, rollback,
abort) run at once: typing the verb and its reason is the deliberate act; the buttons for the
same verbs carry a confirmation dialog instead.
"""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.slack.listeners.common import answer
from bot.slack.mrkdwn import fit_reply
from bot.slack.replies import error_text
from commands.context import Services
from commands.run import execute
from cutover.errors import CutoverError


def register(app: App) -> None:
    """Listen for /cutover."""
    app.command("/cutover")(cutover_command)


def request_key(command: dict) -> str | None:
    """Slack retries repeat the trigger id, so it identifies the request."""
    trigger_id = command.get("trigger_id")
    return f"slash:{trigger_id}" if trigger_id else None


def cutover_command(ack: Ack, command: dict, services: Services, actor: str, context: BoltContext) -> None:
    """Run the typed command as the Slack user and ack with the answer, or with the refusal (ephemeral)."""
    try:
        reply = execute(services, actor, command.get("text") or "", key=request_key(command))
    except CutoverError as refusal:
        context["ack_outcome"] = "refused"  # /metrics counts acks by outcome
        ack(
            text=fit_reply({"text": error_text(refusal, services.templates_dir)})["text"],
            response_type="ephemeral",
        )
        return
    message = answer(services, reply)
    ack(text=message["text"], blocks=message.get("blocks"), response_type=message["response_type"])
