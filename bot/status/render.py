"""The status page as HTML (a phone-sized page that refreshes itself) and as JSON (`/status.json`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from commands.context import Services
from cutover.status.page import StatusView, status_view
from templates.render import environment

REFRESH_S = 60  # the page reloads itself every minute; the bot publishes at least every 5 minutes


def current_view(services: Services, now: datetime | None = None) -> StatusView:
    """The status page of the current cutover (the newest live one, else the newest), as of now."""
    state = services.ledger.current()
    return status_view(state, services.plan, now or services.clock.now())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _words(services: Services) -> Any:
    """The page's wording of reason codes (templates/status/_words.j2)."""
    return environment(services.templates_dir).get_template("status/_words.j2").module


def status_json(services: Services, view: StatusView) -> dict[str, Any]:
    """The document served at /status.json and published as status.json (a public interface: add, never change)."""
    words = _words(services)
    return {
        "status": view.colour,
        "level": view.level,
        "level_name": view.level_name,
        "status_text": view.status_text,
        "banner": view.banner,
        "phase": view.phase,
        "headline": str(words.headline(view.phase)).strip(),
        "services": {"affected": view.affected, "available": view.available},
        "eta": _iso(view.eta),
        "window_start": _iso(view.window_start),
        "started_at": _iso(view.started_at),
        "ended_at": _iso(view.ended_at),
        "updated_at": _iso(view.updated_at),
        "contact": {"hotline": view.hotline, "channel": view.channel, "url": view.url},
        "history": [
            {
                "at": _iso(u.at),
                "status": u.colour,
                "level": u.level,
                "phase": u.phase,
                "headline": str(words.headline(u.phase)).strip(),
                "eta": _iso(u.eta),
            }
            for u in view.history
        ],
    }


def status_html(services: Services, view: StatusView, *, refresh_s: int = REFRESH_S) -> str:
    """The HTML page (autoescaped; no script, no external resource: it works from S3 as from the bot)."""
    env = environment(services.templates_dir).overlay(autoescape=True)
    return env.get_template("status/page.html.j2").render(v=view, refresh_s=refresh_s).strip()


def public_pages(services: Services, *, refresh_s: int = REFRESH_S) -> dict[str, Any]:
    """The pages `serve` answers without authentication (--http, and --socket on its health port): /status, /status.json."""

    def html() -> tuple[str, bytes]:
        page = status_html(services, current_view(services), refresh_s=refresh_s)
        return "text/html; charset=utf-8", page.encode("utf-8")

    def doc() -> tuple[str, bytes]:
        body = json.dumps(status_json(services, current_view(services)), ensure_ascii=False)
        return "application/json", body.encode("utf-8")

    return {"/status": html, "/status.json": doc}
