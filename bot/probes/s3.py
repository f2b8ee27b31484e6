"""S3 probe: every object under a bucket/prefix with its ETag (paginated list_objects_v2)."""

from __future__ import annotations

from bot.probes.aws import AWS_ERRORS, AwsClients, unknown
from cutover.probes import Reading


class S3Objects:
    """Lists objects per region; a runbook bucket may map to another bucket name in a region (replicas)."""

    def __init__(
        self, clients: AwsClients, bucket_map: dict[str, dict[str, str]] | None = None, page_size: int = 1000
    ) -> None:
        self.clients, self.bucket_map, self.page_size = clients, bucket_map or {}, page_size

    def bucket_in(self, region: str, bucket: str) -> str:
        """The name of the runbook bucket's copy in this region."""
        return self.bucket_map.get(region, {}).get(bucket, bucket)

    def objects(self, region: str, bucket: str, prefix: str = "") -> Reading:
        """value: {key: etag} for every object under the prefix."""
        name = self.bucket_in(region, bucket)
        source = f"s3:{region}:{name}/{prefix}"
        try:
            pages = (
                self.clients.client("s3", region)
                .get_paginator("list_objects_v2")
                .paginate(Bucket=name, Prefix=prefix, PaginationConfig={"PageSize": self.page_size})
            )
            keys = {obj["Key"]: obj["ETag"].strip('"') for page in pages for obj in page.get("Contents", [])}
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        return Reading(ok=True, value=keys, source=source, details={"count": len(keys)})
