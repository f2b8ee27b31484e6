"""Writing baselines (JSON) to S3: `<baseline bucket>/<cutover>/<timestamp>.json`."""

from __future__ import annotations

import json
from typing import Any

from bot.probes.aws import AwsClients


class S3Archive:
    """put_object with the probes' timeouts; raises on failure (the caller retries and says so)."""

    def __init__(self, clients: AwsClients, region: str) -> None:
        self.clients, self.region = clients, region

    def put_json(self, bucket: str, key: str, body: dict[str, Any]) -> str:
        """Store the document; return its s3:// address."""
        self.clients.client("s3", self.region).put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps(body, sort_keys=True, default=str).encode(),
            ContentType="application/json",
        )
        return f"s3://{bucket}/{key}"


class MemoryArchive:
    """An in-memory archive for tests and rehearsals; `failures` makes the next puts fail."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.failures = 0

    def put_json(self, bucket: str, key: str, body: dict[str, Any]) -> str:
        """Store the document, unless a failure was injected."""
        if self.failures > 0:
            self.failures -= 1
            raise OSError("S3 unavailable (injected)")
        self.objects[f"s3://{bucket}/{key}"] = json.loads(json.dumps(body, default=str))
        return f"s3://{bucket}/{key}"
