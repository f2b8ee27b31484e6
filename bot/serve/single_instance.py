"""On SQLite, one `serve` per database file: a second one refuses to start with one clear line.

Several processes on one SQLite file would each run a scheduler and an outbox deliverer (SQLite has
no advisory locks to elect one), so every message would go out once per process. The guard is an
exclusive `flock` on `<file>.serve.lock`, which the kernel releases when the process ends, however
it ends (a SIGKILL leaves no stale lock behind).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import SettingsError
from templates.render import render

Release = Callable[[], None]


def hold_sqlite_file(database_url: str, templates_dir: str | None = None) -> Release:
    """Take the file's serve lock (SettingsError when another process holds it); return its release.

    Taken before anything else starts (logging, the database, the integrations), so the refusal is
    the only line a second process writes. Any other database needs no lock: nothing to release.
    """
    url = make_url(database_url)
    path = url.database if url.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:":
        return lambda: None
    lock_path = Path(f"{path}.serve.lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the life of the process
    except OSError as exc:
        raise SettingsError(
            f"setting DATABASE_URL names a SQLite file whose lock {lock_path} cannot be made ({exc.strerror})"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise SettingsError(
            render("cli/already_serving.j2", templates_dir, database=path, pid=holder or None)
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()

    def release() -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return release
