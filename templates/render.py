"""One renderer for every human-facing text: Jinja2 with StrictUndefined.

`CUTOVER_TEMPLATES_DIR` (passed in by the settings) overrides any template by name; the
shipped templates fill in the rest. Templates are compiled once per process.

Text that comes from runbook data (a communication's subject) and templates a runbook names (a
communication's `template`) are rendered in a sandbox (`ImmutableSandboxedEnvironment`): no attribute
starting with `_`, no callable that is not a plain method of the context, no change to a list or dict.
A runbook is data; it never runs code on the bot's host.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cutover.plan.durations import format_duration

SHIPPED = Path(__file__).resolve().parent


def _utc_time(moment: datetime | None, fmt: str = "%H:%M:%S") -> str:
    return "-" if moment is None else moment.strftime(fmt) + " UTC"


def _mrkdwn_escape(text: object) -> str:
    """Escape &, <, > as Slack's mrkdwn requires (mentions are added by templates, not by users)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _duration(value: timedelta | float | int | None) -> str:
    if isinstance(value, int | float):
        value = timedelta(seconds=value)
    return format_duration(value)


def _minutes(value: timedelta | float | int | None) -> str:
    """A duration in minutes as the seed writes RTOs: "3.5 min", "19 min"."""
    if value is None:
        return "-"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return f"{round(seconds / 60, 2):g} min"


@lru_cache(maxsize=8)
def environment(override_dir: str | None = None) -> Environment:
    """The Jinja2 environment, with an optional directory whose templates take precedence."""
    return _configured(Environment, override_dir)


@lru_cache(maxsize=8)
def sandboxed_environment(override_dir: str | None = None) -> Environment:
    """The same environment in Jinja2's immutable sandbox: for whatever runbook data can reach."""
    return _configured(ImmutableSandboxedEnvironment, override_dir)


def _configured(kind: type[Environment], override_dir: str | None) -> Environment:
    loaders = [FileSystemLoader(override_dir)] if override_dir else []
    loaders.append(FileSystemLoader(str(SHIPPED)))
    env = kind(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,  # read once per process: no file check on every render (restart to pick up edits)
    )
    env.filters["duration"] = _duration
    env.filters["minutes"] = _minutes
    env.filters["utc"] = _utc_time
    env.filters["esc"] = _mrkdwn_escape
    env.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.filters["pyrepr"] = repr  # a value as the person typed it, quoted: 'R9'
    return env


def compile_all(override_dir: str | None = None) -> int:
    """Compile every message template now (a server's start-up), so no request pays for a first compile.

    The report's templates have their own environment (bot/report/render.py) and are left out.
    """
    env = environment(override_dir)
    names = [n for n in env.list_templates() if n.endswith(".j2") and not n.startswith("report/")]
    for name in names:
        env.get_template(name)
    return len(names)


def render(name: str, override_dir: str | None = None, **context: object) -> str:
    """Render the named template with the context; a missing variable is an error, not a blank."""
    return environment(override_dir).get_template(name).render(**context).strip()


def render_sandboxed(name: str, override_dir: str | None = None, **context: object) -> str:
    """`render` in the sandbox: a template a runbook names."""
    return sandboxed_environment(override_dir).get_template(name).render(**context).strip()


def render_text_sandboxed(source: str, override_dir: str | None = None, **context: object) -> str:
    """Render template text that comes from runbook data (a subject line) in the sandbox."""
    return sandboxed_environment(override_dir).from_string(source).render(**context).strip()


def render_json(name: str, override_dir: str | None = None, **context: object) -> Any:
    """Render a template that produces JSON (Block Kit) and parse it."""
    return json.loads(render(name, override_dir, **context))
