"""What leaves for Slack is escaped as mrkdwn needs and within Slack's limits; the log keeps the whole text."""

from __future__ import annotations

from bot.slack.mrkdwn import ELLIPSIS, SECTION_TEXT, clip, escape, fit


def test_escape_keeps_slack_sequences_and_entities_and_escapes_the_rest():
    text = (
        "lag <= 5 & rate >= 1 for <@U01AAAA> in <#C0CUTOVER> <!here> <https://x.example/a?b=1|runbook> &amp;"
    )
    assert escape(text) == (
        "lag &lt;= 5 &amp; rate &gt;= 1 for <@U01AAAA> in <#C0CUTOVER> <!here> "
        "<https://x.example/a?b=1|runbook> &amp;"
    )
    assert escape(escape(text)) == escape(text)  # escaping twice changes nothing


def test_clip_never_cuts_an_entity_or_a_mention():
    assert clip("short", 10) == "short"
    cut = clip("a" * 8 + "&amp;" + "b" * 10, 11)
    assert cut == "a" * 8 + ELLIPSIS and len(cut) <= 11
    cut = clip("x" * 5 + "<@U01AAAA> tail", 10)
    assert cut == "x" * 5 + ELLIPSIS


def test_a_long_reason_full_of_ampersands_still_fits_a_section():
    reason = "A & B " * 600  # 3,600 characters, 4,800 once escaped
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f":x: failed: {reason}"}}]
    fitted = fit("chat.postMessage", {"channel": "C0CUTOVER", "text": reason, "blocks": blocks})
    section = fitted["blocks"][0]["text"]["text"]
    assert len(section) <= SECTION_TEXT and section.endswith(ELLIPSIS) and "&amp;" in section
