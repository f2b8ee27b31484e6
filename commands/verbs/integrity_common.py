"""Shared pieces of the data-integrity verbs: the current cutover and the background jobs."""

from __future__ import annotations

from commands.context import Ctx
from cutover.errors import InvalidTransition
from cutover.state import CutoverState


def require_cutover(ctx: Ctx) -> CutoverState:
    """The current cutover, or a refusal saying to schedule one."""
    if ctx.state is None:
        raise InvalidTransition("no cutover yet: schedule one with `/cutover schedule YYYY-MM-DD HH:MM`")
    return ctx.state


def start_job(ctx: Ctx, job: str) -> bool:
    """Queue a background integrity job for the current cutover; False when no probes are wired."""
    jobs = ctx.services.integrity
    if jobs is None or ctx.services.probes is None:
        return False
    jobs.request(job, require_cutover(ctx).cutover_id, ctx.actor)
    return True
