"""Over real HTTP: nothing of a request is parsed, logged or answered to before its signature is checked."""

from __future__ import annotations

import time

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.serve.admission import MAX_BODY_BYTES
from bot.slack.signed_requests import FORM
from tests.bot.serve.test_serve_http import IC, SECRET, roster_with_two_ics, served  # noqa: F401

MARK = "ZZ-REQUEST-BODY-MARK"
FORGED_LINE = "\n2026-12-02 02:00:00 CRITICAL cutover.raci: IC approved everything"


def signed_headers(body: bytes | str, content_type: str = FORM, secret: str = SECRET) -> dict[str, str]:
    """Headers of a correctly signed request with this exact body (bytes signed as they are)."""
    raw = body if isinstance(body, bytes) else body.encode()
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=raw.decode("latin-1"))
    if isinstance(body, bytes):  # generate_signature encodes text as UTF-8: sign the raw bytes ourselves
        import hashlib
        import hmac

        digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
        signature = "v0=" + digest
    return {"content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": signature}


def slash_body(user: str = IC, text: str = "schedule 2026-12-02 02:00", channel: str = "C0CUTOVER") -> str:
    from urllib.parse import urlencode

    return urlencode(
        {"command": "/cutover", "text": text, "user_id": user, "channel_id": channel, "team_id": "T0CUTOVER"}
    )


def assert_nothing_happened(served, caplog) -> None:  # noqa: F811
    assert served.kinds() == []
    assert served.slack.calls == [], "no Slack call for a refused request"
    assert MARK not in caplog.text, "the body is never logged"
    assert "CRITICAL cutover.raci" not in caplog.text
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("timestamp x", 401),
        ("no headers", 401),
        ("no signature", 401),
        ("stale", 401),
        ("future", 401),
        ("forged", 401),
        ("unsigned payload not json", 401),
        ("signed payload not json", 400),
        ("signed payload a list", 400),
        ("signed json not an object", 400),
        ("signed body not utf-8", 400),
    ],
)
def test_a_malformed_or_unsigned_request_is_refused_before_anything_reads_it(served, caplog, case, expected):  # noqa: F811
    caplog.set_level("DEBUG")
    body: str | bytes = slash_body(text=f"schedule 2026-12-02 02:00 {MARK}{FORGED_LINE}")
    headers = signed_headers(body)
    if case == "timestamp x":
        headers["x-slack-request-timestamp"] = "x"
    elif case == "no headers":
        headers = {}
    elif case == "no signature":
        del headers["x-slack-signature"]
    elif case in ("stale", "future"):
        shift = -301 if case == "stale" else 301
        headers["x-slack-request-timestamp"] = str(int(headers["x-slack-request-timestamp"]) + shift)
    elif case == "forged":
        headers = signed_headers(body, secret="not-the-secret")
    elif case == "unsigned payload not json":
        body = f"payload=not-json-{MARK}"
        headers = {"content-type": FORM}
    elif case == "signed payload not json":
        body = f"payload=not-json-{MARK}"
        headers = signed_headers(body)
    elif case == "signed payload a list":
        body = f'payload=["{MARK}"]'
        headers = signed_headers(body)
    elif case == "signed json not an object":
        body = f'["{MARK}"]'
        headers = signed_headers(body, "application/json")
    elif case == "signed body not utf-8":
        body = b"text=\xff\xfe" + MARK.encode() + b"&user_id=U01AAAA&command=%2Fcutover"
        headers = signed_headers(body)
    raw = body if isinstance(body, bytes) else body.encode()
    answer = served.sender.request("POST", "/slack/events", raw, headers)
    assert answer.status == expected
    assert answer.json()["ok"] is False
    assert_nothing_happened(served, caplog)
    refusals = [r.getMessage() for r in caplog.records if "refused a Slack request" in r.getMessage()]
    assert refusals and all("\n" not in line for line in refusals)


def test_a_body_over_the_cap_is_refused_413_before_it_is_sent(served, caplog):  # noqa: F811
    """The server answers 413 on the Content-Length alone: the client never gets to send the body."""
    import socket

    caplog.set_level("DEBUG")
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\n\r\n{MARK}"
    )
    with socket.create_connection((served.server.host, served.server.port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert_nothing_happened(served, caplog)


def test_a_declared_length_over_the_cap_is_refused_on_the_headers(served, caplog):  # noqa: F811
    from bot.serve.admission import Refusal, declared_length

    assert declared_length(str(MAX_BODY_BYTES + 1)) == Refusal(413, "body larger than the cap")
    assert declared_length("x").status == 400
    assert declared_length(None).status == 411
    assert declared_length(str(MAX_BODY_BYTES)) == MAX_BODY_BYTES


def test_a_signed_request_still_works_and_a_refusal_logs_only_reason_and_sizes(served, caplog):  # noqa: F811
    caplog.set_level("INFO")
    body = slash_body(text="status")
    answer = served.sender.request("POST", "/slack/events", body.encode(), signed_headers(body))
    assert answer.status == 200 and answer.json()["response_type"] == "ephemeral"
    served.sender.request("POST", "/slack/events", body.encode(), {"content-type": FORM})
    line = next(r.getMessage() for r in caplog.records if "refused" in r.getMessage())
    assert (
        line
        == f"refused a Slack request: 401 signature headers missing (declared {len(body)} bytes, read {len(body)})"
    )
