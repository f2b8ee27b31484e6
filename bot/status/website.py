"""The status page's bucket as a static website (seed 5.3: status.nxop.com, public, no authentication).

The objects alone are not a website: S3 serves `index.html` at the page's address only when static
website hosting is on with that index document. Before publishing, the bot makes sure of it: when
the bucket has no website configuration it turns hosting on (index document `index.html`); when it
has another index document, or the bot may not read or set the configuration, it changes nothing and
says in one line what is missing (the publication records that line as the target's failure). Public
read (the bucket policy, Block Public Access) stays the operator's decision: the bot never opens a
bucket to the world.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

INDEX = "index.html"

log = logging.getLogger(__name__)


class WebsiteNotServed(Exception):
    """The bucket does not serve the page as a website, and the bot could not make it do so (one line)."""


def ensure_website(s3: Any, bucket: str) -> bool:
    """Make sure `bucket` serves index.html as a static website; True when the bot turned it on now."""
    try:
        config = s3.get_bucket_website(Bucket=bucket)
    except ClientError as exc:
        if _code(exc) != "NoSuchWebsiteConfiguration":
            raise WebsiteNotServed(
                f"bucket {bucket}: static website hosting cannot be checked ({_code(exc)}): "
                f"allow s3:GetBucketWebsite, or turn hosting on with index document {INDEX}"
            ) from exc
    else:
        suffix = (config.get("IndexDocument") or {}).get("Suffix")
        if config.get("RedirectAllRequestsTo"):
            raise WebsiteNotServed(
                f"bucket {bucket}: static website hosting redirects every request elsewhere; "
                f"the status page needs index document {INDEX}"
            )
        if suffix != INDEX:
            raise WebsiteNotServed(
                f"bucket {bucket}: static website hosting serves index document {suffix}, "
                f"not {INDEX}: set it to {INDEX}"
            )
        return False
    try:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": INDEX}})
    except ClientError as exc:
        raise WebsiteNotServed(
            f"bucket {bucket}: static website hosting is off and the bot may not turn it on "
            f"({_code(exc)}): allow s3:PutBucketWebsite, or turn hosting on with index document {INDEX}"
        ) from exc
    log.info("status page: static website hosting turned on for bucket %s (index document %s)", bucket, INDEX)
    return True


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))
