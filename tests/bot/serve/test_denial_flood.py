"""Over real HTTP, on SQLite and PostgreSQL: a stranger's flood of refused commands is counted, not chained,
and never crowds out the Incident Commander."""

from __future__ import annotations

import threading
from datetime import timedelta

from storage import eventlog
from tests.bot.serve.test_serve_http import IC, SECRET, roster_with_two_ics, served_any_db  # noqa: F401
from tests.support.slack_http import SlackSender

STRANGERS = ("U0STRANGE1", "U0STRANGE2")
FLOOD = ("start", "comms ack T-7d", "gate approve 1", "abort now", "ack all", "note issue hello")


def denials(bot) -> list:
    cutover = bot.runtime.services.ledger.current().cutover_id
    history = eventlog.history(engine=bot.runtime.database, cutover_id=cutover)
    return [r for r in history if r.event.kind == "command.denied"]


def test_a_flood_of_denials_beside_the_commanders_commands(served_any_db, caplog):  # noqa: F811
    bot = served_any_db
    caplog.set_level("INFO")
    bot.run("schedule 2026-12-08 02:00", IC)
    answers: dict[str, list] = {"ic": [], "flood": []}
    lock = threading.Lock()

    def flood(worker: int) -> None:
        sender = SlackSender(bot.server.url, SECRET, response_urls=bot.slack.response_url(""))
        user = STRANGERS[worker % 2]
        for i in range(50):
            if i % 5 == 4:  # a button too: its refusal would be a Slack call
                answer = sender.send(sender.click_request("gate_approve", "1", user=user))
            else:
                request = sender.requests.slash(user, FLOOD[i % len(FLOOD)], trigger_id=f"{worker}.{i}.flood")
                answer = sender.send(request)
            with lock:
                answers["flood"].append(answer)
        sender.close()

    def commander(worker: int) -> None:
        sender = SlackSender(bot.server.url, SECRET, response_urls=bot.slack.response_url(""))
        for i in range(20):
            answer = sender.command(f"note issue {worker}-{i} bridge still green", user=IC)
            with lock:
                answers["ic"].append(answer)
        sender.close()

    threads = [threading.Thread(target=flood, args=(w,)) for w in range(4)]
    threads.append(threading.Thread(target=commander, args=(0,)))  # one sender: its trigger ids are unique
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(answers["ic"]) == 20 and len(answers["flood"]) == 200
    assert all(a.status == 200 for a in answers["ic"] + answers["flood"]), "no 5xx, no refusal at the door"
    ic_texts = [a.json()["text"] for a in answers["ic"]]
    assert all("recorded for the report" in t for t in ic_texts), "0 IC commands refused"
    assert bot.kinds().count("note.added") == 20
    assert len(denials(bot)) == 2, "one recorded denial per stranger per minute"
    refused_clicks = [
        c for c in bot.responses() if not c["args"].get("replace_original")
    ]  # only strangers click
    assert len(refused_clicks) <= 10, "refused clicks past the first few get no Slack call each"
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelname == "ERROR"]
    # a minute later, the next denial carries the count of those not recorded one by one
    bot.clock.advance(timedelta(seconds=61))
    for user in STRANGERS:
        assert bot.command("start", user=user).status == 200
    carried = {r.actor: r.event.repeats for r in denials(bot)[2:]}
    assert carried == {STRANGERS[0]: 99, STRANGERS[1]: 99}
    assert bot.runtime.services.ledger.current().denials == 202
