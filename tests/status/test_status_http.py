"""`serve --http` serves the public status page: GET /status and /status.json, no authentication."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.serve.http import HttpServer, SlackWsgiApp
from bot.status.render import public_pages
from bot.timeline.fire import fire_due
from tests.bot.serve.test_serve_http import IC, roster_with_two_ics, serving

__all__ = ["roster_with_two_ics"]  # the fixture, used here too


@pytest.fixture
def served(tmp_path, roster_with_two_ics):
    with serving(f"sqlite:///{tmp_path / 'cutover.db'}", roster_with_two_ics) as bot:
        yield bot


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_status_json_before_any_cutover_is_green_and_public(served):
    status, headers, body = get(served.server.url + "/status.json")
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-cache, max-age=0"
    doc = json.loads(body)
    assert (doc["status"], doc["level"], doc["phase"]) == ("green", 0, "idle")
    assert doc["contact"]["hotline"] == "1-800-NXOP-OPS"
    assert doc["updated_at"] == "2026-12-01T01:00:00Z" and doc["history"] == []


def test_status_follows_the_cutover_with_its_history(served):
    served.run("schedule 2026-12-02 02:00", IC)
    fire_due(served.runtime.services, served.clock.now())
    served.run("go-nogo override checklist not under test", IC)
    served.run("go-nogo approve-override", "U03AAAA")
    served.run("go-nogo go rehearsed", IC)
    served.run("go-nogo override starting now is agreed with the business", IC)
    served.run("go-nogo approve-override", "U03AAAA")
    served.run("start", IC)
    fire_due(served.runtime.services, served.clock.now())
    doc = json.loads(get(served.server.url + "/status.json")[2])
    assert (doc["status"], doc["level"], doc["phase"]) == ("yellow", 1, "in_progress")
    assert doc["eta"] == "2026-12-01T01:58:00Z"  # started 01:07, the plan's 51 minutes
    assert [h["phase"] for h in doc["history"]] == ["in_progress", "scheduled"]
    status, headers, body = get(served.server.url + "/status")
    page = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "Planned maintenance in progress" in page and "Flight Planning: Read-only mode" in page
    assert '<meta http-equiv="refresh" content="60">' in page and "1-800-NXOP-OPS" in page


def test_only_get_and_head_and_nothing_else_is_served(served):
    request = urllib.request.Request(served.server.url + "/status", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 404
    head = urllib.request.Request(served.server.url + "/status.json", method="HEAD")
    with urllib.request.urlopen(head, timeout=5) as answer:
        assert answer.status == 200 and answer.read() == b""
    assert get(served.server.url + "/status/")[0] == 404


def test_a_failing_page_is_a_503_without_a_traceback(served, caplog):
    def broken():
        raise RuntimeError("database on fire")

    app = SlackWsgiApp(served.runtime.app, served.runtime.database, pages={"/status": broken})
    with HttpServer(app, host="127.0.0.1", port=0) as server:
        status, _, body = get(server.url + "/status")
    assert status == 503 and json.loads(body) == {"ok": False, "error": "unavailable"}
    assert b"Traceback" not in body and b"fire" not in body


def test_the_pages_are_the_same_view_as_published(served):
    pages = public_pages(served.runtime.services, refresh_s=5)
    content_type, html = pages["/status"]()
    assert content_type.startswith("text/html") and b'content="5"' in html
