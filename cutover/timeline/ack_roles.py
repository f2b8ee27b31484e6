"""Who may acknowledge what (read by `cutover.raci.roles_for`): the runbook says it, not the clicker.

- `comms ack <message> [audience]`: the roles the audience names (`communications.audiences.<name>.roles`;
  none named: the roles that may schedule the window); without an audience, those of any of its audiences.
- `ack <escalation key>`: the roles the escalation goes to (`escalations.triggers[].escalate_to`; `all`:
  anyone on the roster). `ack` and `ack all` need someone on the roster; the command then acknowledges
  only the open escalations that pinged the asker or go to one of their roles (`may_acknowledge`).
"""

from __future__ import annotations

from collections.abc import Iterable

from cutover.plan.model import Runbook

EVERYONE = "all"


def comm_ack_roles(plan: Runbook, comm_id: str, audience: str) -> tuple[str, ...]:
    """The roles that may acknowledge a communication for an audience (any of its audiences when none)."""
    comms = plan.communications
    message = next((m for m in comms.messages if m.id == comm_id), None) if comms else None
    if message is None or comms is None:
        return ()
    names = [audience] if audience else list(message.audiences)
    roles: list[str] = []
    for name in names:
        found = comms.audiences.get(name)
        if found is not None:
            roles.extend(found.roles or plan.authority.schedule)
    return tuple(dict.fromkeys(roles))


def escalation_trigger(key: str) -> str | None:
    """The trigger of an escalation episode key (`esc:<trigger>:<ref>:<cutover>`), or None."""
    parts = key.split(":")
    return parts[1] if len(parts) >= 4 and parts[0] == "esc" else None


def escalation_ack_roles(plan: Runbook, trigger: str) -> tuple[str, ...]:
    """The roles an escalation goes to (`all`: EVERYONE)."""
    from cutover.timeline.escalations import trigger_roles

    return tuple(trigger_roles(plan, trigger))


def may_acknowledge(
    actor: str, held: Iterable[str], episode_roles: Iterable[str], pinged: Iterable[str]
) -> bool:
    """Whether this person may acknowledge an escalation: it pinged them, or it goes to a role they hold."""
    roles = set(episode_roles)
    return actor in set(pinged) or EVERYONE in roles or bool(roles & set(held))
