"""On SQLite one `serve` per file: a second one refuses to start with one line; a killed one leaves no lock."""

from __future__ import annotations

from tests.support.fake_slack_api import FakeSlackApi
from tests.support.serve_process import ServeProcess, serve_env


def test_a_second_serve_on_the_same_sqlite_file_refuses_with_one_line(tmp_path):
    path = tmp_path / "cutover.db"
    with FakeSlackApi() as slack:
        env = serve_env(f"sqlite:///{path}", slack.url)
        first = ServeProcess(env, "first").started()
        try:
            second = ServeProcess(env, "second")
            assert second.process.wait(60) == 2
            second.wait_for("^$|.", within=1)  # the pump has read what it wrote
            assert [line.rstrip("\n") for line in second.lines] == [
                f"cutover-bot: another `cutover-bot serve` (pid {first.process.pid}) is already running on "
                f"the SQLite database {path}: one serve per SQLite file; for several replicas use "
                "PostgreSQL (DATABASE_URL=postgresql://...)"
            ]
            other = ServeProcess(
                serve_env(f"sqlite:///{tmp_path / 'other.db'}", slack.url), "other"
            ).started()
            assert other.stop() == 0  # another file is another bot
        finally:
            first.kill()
        after_kill = ServeProcess(env, "after a SIGKILL").started()  # the kernel released the lock
        assert after_kill.stop() == 0
