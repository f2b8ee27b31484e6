"""The strict Slack Web API emulator: one pure object, `call(method, args) -> (status, headers, body)`.

It answers as Slack does, `{"ok": false, "error": ...}` for what Slack refuses:
- only methods slack_sdk's WebClient knows (`unknown_method`), only the arguments its signature
  names (`invalid_arguments`), a missing required one with Slack's error for it (`channel_not_found`,
  `no_text`, ...);
- the token: `invalid_auth` for one of `refused_tokens`, its type (`not_allowed_token_type`) and the
  manifest's scopes, the bot scopes for a bot token, the user scopes for a user token (xoxp-)
  (`missing_scope` with `needed` and `provided`);
- conversations by ID where Slack requires one, bot membership (`not_in_channel`), users that exist;
- Block Kit and views checked by `blocks.py`; response_url rules by `respond`;
- rate limits when a `limits` hook is set (`limits.py`: 429 with Retry-After).

Every refusal except a rate limit is a contract error (`contract_errors`): the bot asked for
something Slack would not do. `scopes_used` (`user_scopes_used`) counts the scopes the accepted calls of bot (user) tokens needed.
Time comes from the clock it is given (a virtual one in the console and rehearsals).
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.slack.emulator import handlers
from bot.slack.emulator.blocks import decoded, message_problems
from bot.slack.emulator.limits import SlackRateLimits
from bot.slack.emulator.methods import manifest_scopes, scope_needed, signature
from bot.slack.emulator.workspace import Message, Refusal, Workspace
from commands.context import Clock

JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
NOT_CONTRACT = frozenset({"ratelimited"})

Answer = tuple[int, dict[str, str], Any]


@dataclass
class ContractError:
    """A call Slack would have refused."""

    at: datetime
    method: str
    error: str
    args: dict[str, Any]
    messages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.method}: {self.error} {'; '.join(self.messages)}".strip()


@dataclass
class ResponseUrl:
    """A response_url handed out with a slash command or a click."""

    channel: str
    user: str
    issued: datetime
    message_ts: str | None = None
    uses: int = 0
    card_unknown: bool = False  # handed out by prefix (the HTTP face's tests): the pressed card is not known


class SlackEmulator:
    """A Slack workspace and its Web API, answering as Slack does (thread-safe)."""

    def __init__(
        self,
        clock: Clock,
        *,
        workspace: Workspace | None = None,
        scopes: frozenset[str] | None = None,
        limits: SlackRateLimits | None = None,
        upload_base: str = "https://files.slack.invalid/upload/",
        permalink_base: str = "https://nxop.slack.com/archives/",
    ) -> None:
        self.clock = clock
        self.workspace = workspace or Workspace()
        self.scopes = manifest_scopes() if scopes is None else scopes
        self.user_scopes = manifest_scopes(kind="user")  # a user token's (xoxp-): the manifest's user scopes
        self.user_scopes_used: Counter[str] = Counter()
        self.refused_tokens: set[str] = set()  # tokens answered invalid_auth (revoked, mistyped: tests)
        self.limits = limits
        self.upload_base, self.permalink_base = upload_base, permalink_base
        self.messages: list[Message] = []  # every message, channel and ephemeral, oldest first
        self.views: dict[str, dict] = {}  # view id -> the opened view (with id, hash, state)
        self.home: dict[str, dict] = {}  # user -> the published Home view
        self.files: dict[str, dict[str, Any]] = {}  # file id -> {"filename", "length", "data"}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.response_prefixes: dict[str, tuple[str, str]] = {}  # prefix -> (channel, user)
        self.contract_errors: list[ContractError] = []
        self.scopes_used: Counter[str] = Counter()
        self.answers: dict[str, dict[str, Any]] = {}  # method -> a body to answer with (tests)
        self.lock = threading.RLock()
        self.token = "xoxb-emulator"
        self._counter = itertools.count(1)

    # --- the Web API -----------------------------------------------------------------------------

    def call(self, method: str, args: dict[str, Any], token: str = "xoxb-emulator") -> Answer:
        """Answer one Web API call: (HTTP status, headers, JSON body)."""
        args = {k: decoded(v) if k in JSON_ARGS else v for k, v in copy.deepcopy(args).items()}
        with self.lock:
            self.token = token  # the handlers' view of who calls (a bot token, a user token)
            try:
                self._check_call(method, args, token)
                if self.limits is not None and (after := self.limits.check(method, args, self._seconds())):
                    raise Refusal("ratelimited", status=429, retry_after=after)
                if method in self.answers:
                    return 200, {}, copy.deepcopy(self.answers[method])
                handler = handlers.HANDLERS.get(method, handlers.unmodelled)
                return 200, {}, {"ok": True, **handler(self, args, method)}
            except Refusal as refusal:
                headers = {}
                if refusal.status == 429:
                    headers["Retry-After"] = str(refusal.extra.pop("retry_after"))
                if refusal.error not in NOT_CONTRACT:
                    self.contract_errors.append(
                        ContractError(self.clock.now(), method, refusal.error, args, refusal.messages)
                    )
                return refusal.status, headers, refusal.body()

    def _check_call(self, method: str, args: dict[str, Any], token: str) -> None:
        known = signature(method)
        if known is None:
            raise Refusal("unknown_method", [f"[ERROR] no method {method!r}"])
        unknown = sorted(set(args) - known.known)
        if unknown:
            raise Refusal("invalid_arguments", [f"[ERROR] unknown argument {name!r}" for name in unknown])
        for name in sorted(known.required):
            if args.get(name) in (None, ""):
                raise Refusal(handlers.missing_error(name), [f"[ERROR] missing required argument {name!r}"])
        if token in self.refused_tokens:
            raise Refusal("invalid_auth")
        app_level = method == "apps.connections.open"
        if token.startswith("xapp-") != app_level:
            raise Refusal("not_allowed_token_type")

    def need_scope(self, scope: str | None) -> None:
        """Refuse with missing_scope unless the token has this scope (several: comma-separated, all needed)."""
        if not scope or not self.token.startswith(("xoxb-", "xoxp-")):
            return  # an app-level token has its own scopes
        user = self.token.startswith("xoxp-")  # a user token has the manifest's user scopes
        granted, used = (self.user_scopes, self.user_scopes_used) if user else (self.scopes, self.scopes_used)
        missing = [s for s in scope.split(",") if s not in granted]
        if missing:
            raise Refusal("missing_scope", needed=",".join(missing), provided=",".join(sorted(granted)))
        for s in scope.split(","):
            used[s] += 1

    def need_method_scope(self, method: str, kind: str = "C", types: str = "") -> None:
        """The scope of this method for this kind of conversation."""
        self.need_scope(scope_needed(method, kind, types))

    # --- response_url ----------------------------------------------------------------------------

    def issue_response_url(self, url: str, *, channel: str, user: str, message_ts: str | None = None) -> str:
        """Hand out a response_url (with a slash command or a click) that `respond` then accepts."""
        with self.lock:
            self.response_urls[url] = ResponseUrl(channel, user, self.clock.now(), message_ts)
        return url

    def issue_response_urls(self, prefix: str, *, channel: str, user: str) -> str:
        """Hand out every response_url under this prefix, each issued when first used (its card unknown)."""
        with self.lock:
            self.response_prefixes[prefix] = (channel, user)
        return prefix

    def respond(self, url: str, payload: dict[str, Any]) -> Answer:
        """A POST to a response_url: at most 5 within 30 minutes; replace_original, delete_original, in_channel."""
        payload = {k: decoded(v) if k in JSON_ARGS else v for k, v in copy.deepcopy(payload).items()}
        with self.lock:
            try:
                return 200, {}, handlers.respond(self, self._response_url(url), payload)
            except Refusal as refusal:
                self.contract_errors.append(
                    ContractError(self.clock.now(), "response_url", refusal.error, payload, refusal.messages)
                )
                return refusal.status, {}, refusal.body()

    def _response_url(self, url: str) -> ResponseUrl:
        found = self.response_urls.get(url)
        prefix = next((p for p in self.response_prefixes if p and url.startswith(p)), None)
        if found is None and prefix is not None:
            channel, user = self.response_prefixes[prefix]
            found = self.response_urls[url] = ResponseUrl(channel, user, self.clock.now(), card_unknown=True)
        if found is None:
            raise Refusal("no_service", status=404)
        if self.clock.now() - found.issued > RESPONSE_URL_LIFETIME:
            raise Refusal("expired_url", status=404)
        if found.uses >= RESPONSE_URL_USES:
            raise Refusal("used_url", status=404)
        found.uses += 1
        return found

    # --- files -----------------------------------------------------------------------------------

    def receive_upload(self, url_or_id: str, data: bytes) -> bool:
        """The bytes files_upload_v2 POSTs to an upload URL; False when no such upload was asked for."""
        file_id = url_or_id.rsplit("/", 1)[-1]
        with self.lock:
            if file_id not in self.files:
                return False
            self.files[file_id]["data"] = data
            return True

    # --- shared by the handlers ------------------------------------------------------------------

    def next_ts(self) -> str:
        """A fresh message timestamp (unique, increasing)."""
        return f"{int(self.clock.now().timestamp())}.{next(self._counter):06d}"

    def next_id(self, prefix: str) -> str:
        """A fresh object ID (F..., V...)."""
        return f"{prefix}{next(self._counter):09d}"

    def message(self, channel: str, ts: Any) -> Message:
        """A live message of a conversation by its ts, or Refusal("message_not_found")."""
        for message in reversed(self.messages):
            if message.channel == channel and message.ts == str(ts) and not message.deleted:
                return message
        raise Refusal("message_not_found")

    def check_message(self, args: dict[str, Any], *, need_text: bool = True) -> None:
        """Refuse text or blocks Slack would refuse."""
        problem = message_problems(args, need_text=need_text)
        if problem:
            raise Refusal(problem[0], problem[1])

    def _seconds(self) -> float:
        return self.clock.now().timestamp()
