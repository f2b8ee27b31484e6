"""The status page's bucket as a static website (seed 5.3: status.nxop.com, public, no authentication).

The objects alone are not a website: S3 serves `index.html` at the page's address only when static
website hosting is on with that index document. Before publishing, the bot makes sure of it: when
the bucket has no website configuration it turns hosting on (index document `index.html`); when it
has another index document, or the bot may not read or set the configuration, it changes nothing and
says in one line what is missing (the publication records that line as the target's failure). Public
read (the bucket policy, Block Public Access) stays the operator's decision: the bot never opens a
bucket to the world, but it checks at each publication that the page can be read without
authentication (`ensure_public`): Block Public Access restricting public buckets (on the bucket, or
on the account when the bot may read that), or no bucket policy granting public read, is one line
again. Object ACLs do not matter here: the bot writes its objects without any.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

INDEX = "index.html"

log = logging.getLogger(__name__)


class WebsiteNotServed(Exception):
    """The bucket does not serve the page as a website, and the bot could not make it do so (one line)."""


class PageNotPublic(Exception):
    """The bucket's page cannot be read without authentication, or the bot may not check it (one line)."""


class AccountBlock:
    """The account-level Block Public Access, read through S3 Control with the account id from STS."""

    def __init__(self, s3control: Any, sts: Any) -> None:
        self.s3control, self.sts = s3control, sts

    def read(self) -> dict[str, Any]:
        """The account's configuration ({} when none is set); ClientError when it cannot be read."""
        account = self.sts.get_caller_identity()["Account"]
        try:
            return dict(
                self.s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
            )
        except ClientError as exc:
            if _code(exc) == "NoSuchPublicAccessBlockConfiguration":
                return {}
            raise


def ensure_public(s3: Any, bucket: str, account: AccountBlock | None = None) -> None:
    """Raise PageNotPublic when `bucket` cannot serve the page to anyone (seed 5.3: public, no authentication).

    Checks, never changes: the bucket's Block Public Access, the account's when `account` is given and
    readable (a bot without s3:GetAccountPublicAccessBlock skips it), and the bucket policy's status.
    """
    blocks = {"bucket": _bucket_block(s3, bucket)}
    if account is not None:
        try:
            blocks["account"] = account.read()
        except (ClientError, BotoCoreError) as exc:
            log.info("status page: the account's Block Public Access cannot be read (%s); bucket only", exc)
    restricted = [scope for scope, config in blocks.items() if config.get("RestrictPublicBuckets")]
    if restricted:
        raise PageNotPublic(
            f"bucket {bucket}: the status page is not public: Block Public Access (RestrictPublicBuckets) "
            f"is on for the {' and the '.join(restricted)}; the operator must turn it off to publish the page"
        )
    try:
        public = bool(s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"].get("IsPublic"))
    except ClientError as exc:
        if _code(exc) != "NoSuchBucketPolicy":
            raise PageNotPublic(
                f"bucket {bucket}: whether the status page is public cannot be checked ({_code(exc)}): "
                f"allow s3:GetBucketPolicyStatus"
            ) from exc
        public = False
    if not public:
        raise PageNotPublic(
            f"bucket {bucket}: the status page is not public: no bucket policy allows anonymous "
            f"s3:GetObject; the operator must add one"
        )


def _bucket_block(s3: Any, bucket: str) -> dict[str, Any]:
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except ClientError as exc:
        if _code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return {}
        raise PageNotPublic(
            f"bucket {bucket}: whether the status page is public cannot be checked ({_code(exc)}): "
            f"allow s3:GetBucketPublicAccessBlock"
        ) from exc


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
