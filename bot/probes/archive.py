"""Writing baselines (JSON) to S3: `<baseline bucket>/<cutover>/<timestamp>.json`."""

from __future__ import annotations

import json
from datetime import datetime
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

    def put_anchor(self, bucket: str, cutover_id: str, seq: int, digest: str, now: datetime) -> str:
        """Store the chain head beside the baselines (under the bucket's Object Lock retention)."""
        from bot.integrity.anchors import write_anchor

        return write_anchor(self.clients.client("s3", self.region), bucket, cutover_id, seq, digest, now)


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

    def put_anchor(self, bucket: str, cutover_id: str, seq: int, digest: str, now: datetime) -> str:
        """Store the chain head as an S3 archive would (bot/integrity/anchors.py `anchor_key`)."""
        from bot.integrity.anchors import anchor_key

        key = anchor_key(cutover_id, seq)
        self.objects[f"s3://{bucket}/{key}"] = {"cutover_id": cutover_id, "seq": seq, "hash": digest}
        return f"s3://{bucket}/{key}"
