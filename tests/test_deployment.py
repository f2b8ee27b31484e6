"""compose.yaml: PostgreSQL, the migration first, then two replicas of the bot on that database."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_compose_runs_two_replicas_on_one_postgresql_after_the_migration():
    services = yaml.safe_load((REPO / "compose.yaml").read_text())["services"]
    assert services["migrate"]["command"] == ["cutover-bot", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    replicas = {name: s for name, s in services.items() if name.startswith("bot-")}
    assert len(replicas) == 2
    urls = {s["environment"]["DATABASE_URL"] for s in replicas.values()} | {
        services["migrate"]["environment"]["DATABASE_URL"]
    }
    (url,) = urls
    assert url.startswith("postgresql://") and "@postgres:5432/" in url
    ports = [p for s in replicas.values() for p in s["ports"]]
    assert len(set(ports)) == 2 and all(p.endswith(":3000") for p in ports)
    for replica in replicas.values():
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert replica["build"] == "." and "command" not in replica  # the image's own `serve --http`
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY storage ./storage" in dockerfile  # the migrations ship with the image
    assert 'CMD ["cutover-bot", "serve", "--http", "--port", "3000"]' in dockerfile
