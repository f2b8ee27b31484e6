"""Scenario helpers shared by several test modules."""

from __future__ import annotations

from cutover.state import Status


def run_to_gate5(bot):
    """Drive a cutover through every phase until Gate 5 is open."""
    bot.to_started()
    bot.through_phase0()
    ic = bot.person("incident_commander")
    for sid in ("1A.1", "1A.2", "1A.3", "1A.4", "1B.1", "1B.2", "1B.3", "1B.4"):
        bot.do_step(sid, minutes=0.5)
    bot.ok("gate approve 2", ic)
    bot.ok("gate approve 3", ic)
    for sid in ("2A.1", "2A.2", "2B.1", "2B.2"):
        bot.do_step(sid)
    bot.ok("gate approve 4", ic)
    assert bot.state.status == Status.VALIDATING
    for sid in ("3.1", "3.2", "3.3", "3.4"):
        bot.do_step(sid)
