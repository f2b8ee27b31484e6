"""Archiving the report's files to S3: s3://<reports bucket>/<cutover>/report.{md,html,png}."""

from __future__ import annotations

from typing import Any

KEYS = {
    "report.md": ("report.md", "text/markdown; charset=utf-8"),
    "report.html": ("report.html", "text/html; charset=utf-8"),
    "timeline.png": ("report.png", "image/png"),
}


def archive_report(s3: Any, bucket: str, cutover_id: str, files: dict[str, bytes]) -> str:
    """Put every file under <cutover>/ in the bucket; the S3 URI of the HTML report."""
    for name, content in files.items():
        key, content_type = KEYS[name]
        s3.put_object(Bucket=bucket, Key=f"{cutover_id}/{key}", Body=content, ContentType=content_type)
    return f"s3://{bucket}/{cutover_id}/report.html"


def real_archive(plan: Any, settings: Any = None) -> Any:
    """Production: an S3 client built like the probes' (timeouts, bounded retries) to archive reports with.

    The reports bucket is the runbook's `data_checks.reports_bucket`; the endpoint, timeouts and retries
    are the probes' settings (CUTOVER_PROBE_*), credentials the standard AWS chain.
    """
    from bot.probes.aws import AwsClients
    from bot.probes.config import ProbeSettings

    return AwsClients(settings or ProbeSettings()).client("s3", plan.from_region)
