"""`cutover-bot serve --http | --socket`: the bot in production, over HTTP or Slack's Socket Mode.

Both modes run the same app (`bot.slack.app.create_app`) over the same services (`bot.bootstrap`);
`--http` serves it with waitress (a pool of worker threads) behind a load balancer, `--socket`
connects out to Slack with the app-level token. SIGTERM or SIGINT stops either gracefully.
"""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import threading
from dataclasses import dataclass, replace

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.bootstrap import Parts, load_plan, wire_bot
from bot.cli import subcommand
from bot.clock import SystemClock
from bot.logs import configure_logging
from bot.serve.background import replicas_possible, run_background
from bot.serve.http import EVENTS_PATH, HEALTH_PATH, METRICS_PATH, HttpServer, SlackWsgiApp
from bot.serve.metrics import Metrics, measure_acks
from bot.serve.single_instance import hold_sqlite_file
from bot.settings import Settings, SettingsError, load_settings, require
from commands.context import Clock, Services, StatusTargets
from cutover.plan.model import Runbook
from templates.render import compile_all

log = logging.getLogger("cutover.serve")

HTTP_THREADS = 8


@dataclass
class Runtime:
    """What `serve` runs: the settings, the services, the Web API client, the Bolt app and its metrics."""

    settings: Settings
    services: Services
    client: WebClient
    app: App
    metrics: Metrics

    @property
    def database(self) -> Engine:
        """The database engine of the event log (the health check reads it)."""
        return self.services.ledger.db


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    client: WebClient | None = None,
    integrations: bool = True,
) -> Runtime:
    """Load the plan, wire the services and the Slack client, and build the app (PlanError on a bad file).

    With `integrations` (production), the AWS side is wired too: the real probes and the integrity jobs,
    the S3 archive of reports, and SES for email when CUTOVER_SES_SOURCE names the sender.
    """
    from bot.serve.slack_setup import check_slack_setup
    from bot.slack.app import create_app, slack_client, user_client  # imported here: the CLI loads this

    runbook, roster = load_plan(
        settings.cutover_runbook, settings.cutover_roster, settings.cutover_templates_dir
    )
    clock = clock or SystemClock()
    client = client or slack_client(settings)
    reader = user_client(settings)
    parts = Parts(slack=client, channel=settings.cutover_channel, delivery="background", slack_reader=reader)
    if integrations:
        parts = integration_parts(parts, runbook, clock, settings)
    try:
        services = wire_bot(
            runbook=runbook,
            roster=roster,
            database_url=settings.database_url,
            clock=clock,
            parts=parts,
            templates_dir=settings.cutover_templates_dir,
            # on PostgreSQL replicas may share the database: no read another replica may have overtaken
            share_reads_for=0.0
            if replicas_possible(settings.database_url)
            else settings.cutover_shared_read_ms / 1000,
            audit_key=settings.cutover_audit_key,
        )
    except OperationalError as exc:  # the URL is well-formed but nobody answers there
        raise SettingsError(
            f"setting DATABASE_URL names a database that cannot be reached "
            f"({type(exc.orig).__name__ if exc.orig else 'OperationalError'})"
        ) from None
    compile_all(settings.cutover_templates_dir)  # no request waits for a template's first compile
    app = _app_or_refusal(settings, services, client, create_app)
    _check_user_token(reader)
    audiences = runbook.communications.audiences.values() if runbook.communications else []
    posted_in = tuple(name for audience in audiences for name in audience.slack_channels)
    check_slack_setup(
        client, services.channel, roster, posted_in
    )  # its channels, the bot in them, the people
    metrics = Metrics()
    measure_acks(app, metrics)
    metrics.watch_outbox(services.ledger.db, services.clock.now)
    deliverer = getattr(
        services.outbox, "deliverer", None
    )  # the persistent outbox's (bot/outbox/deliverer.py)
    if deliverer is not None:
        deliverer.on_retry = metrics.count_retry
    services.audit_failed_listeners.append(announce_audit_failure)
    if services.audit_failure is not None:  # found at start-up by wire_bot: say it in the channel
        announce_audit_failure(services, services.audit_failure)
    return Runtime(settings, services, client, app, metrics)


def _app_or_refusal(settings: Settings, services: Services, client: WebClient, create_app) -> App:
    """Build the app (its `auth.test` checks the token); a refused token or an unreachable Slack is one line."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.serve.slack_setup import setup_line

    try:
        return create_app(settings, services, client=client)
    except BoltError as exc:  # Bolt's auth.test answered ok=false
        refused = exc.__cause__ or exc.__context__  # Bolt raises it while handling the SlackApiError
        error = refused.response.get("error") if isinstance(refused, SlackApiError) else None
        raise SettingsError(setup_line("token_refused", setting="SLACK_BOT_TOKEN", error=error)) from None
    except (SlackClientError, OSError) as exc:
        raise SettingsError(
            setup_line("token_unreachable", setting="SLACK_BOT_TOKEN", error=type(exc).__name__)
        ) from None


def _check_user_token(reader: WebClient | None) -> None:
    """`auth.test` the optional user token (a refusal is one line); without it, say once what that costs."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.serve.slack_setup import setup_line

    if reader is None:
        log.warning(setup_line("user_token_missing"))
        return
    try:
        reader.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise SettingsError(setup_line("token_refused", setting="SLACK_USER_TOKEN", error=error)) from None
    except (SlackClientError, OSError) as exc:
        raise SettingsError(
            setup_line("token_unreachable", setting="SLACK_USER_TOKEN", error=type(exc).__name__)
        ) from None


def announce_audit_failure(services: Services, result) -> None:
    """Say once in the channel that the log failed verification and the bot is read-only."""
    from templates.render import render

    if services.outbox is None:  # `wire_slack` gives serve an outbox; without one nothing is said
        return
    text = render("slack/audit_failed.j2", services.templates_dir, result=result)
    services.outbox.enqueue(
        method="chat.postMessage",
        args={"channel": services.channel, "text": text},
        key=f"audit-failed:{result.cutover_id}:{result.first_bad_seq}",
        order=f"channel:{services.channel}",
    )


def integration_parts(parts: Parts, runbook: Runbook, clock: Clock, settings: Settings) -> Parts:
    """The AWS side (credentials: the standard AWS chain): real probes and the baseline archive for the
    integrity jobs, the S3 archive of reports, and SES for email when CUTOVER_SES_SOURCE names the sender."""
    from bot.probes.aws import AwsClients
    from bot.probes.config import ProbeSettings
    from bot.probes.wiring import real_integrity_parts
    from bot.report.archive import real_archive

    probe_settings = ProbeSettings()
    probes, baseline_archive = real_integrity_parts(runbook, clock, probe_settings)
    parts = replace(
        parts,
        probes=probes,
        baseline_archive=baseline_archive,
        report_archive=real_archive(runbook, probe_settings),
    )
    if settings.cutover_ses_source:
        ses = AwsClients(probe_settings).client("ses", runbook.from_region)
        parts = replace(parts, ses=ses, ses_source=settings.cutover_ses_source)
    return replace(parts, status_targets=status_targets(runbook, settings, AwsClients(probe_settings)))


def status_targets(runbook: Runbook, settings: Settings, aws) -> StatusTargets:
    """The status page's targets the runbook asks for: its S3 bucket, CloudWatch, Statuspage (with an API key).

    S3 and CloudWatch are reached in the region the cutover moves to (the one that stays up);
    Statuspage only when CUTOVER_STATUSPAGE_API_KEY is set.
    """
    from bot.status.statuspage import StatuspageClient

    page = runbook.status_page
    if page is None:
        return StatusTargets()
    statuspage = None
    if page.statuspage and settings.cutover_statuspage_api_key:
        statuspage = StatuspageClient(
            settings.cutover_statuspage_api_key, settings.cutover_statuspage_api_url
        )
    from bot.status.website import AccountBlock

    return StatusTargets(
        s3=aws.client("s3", runbook.to_region) if page.s3_bucket else None,
        s3_account=AccountBlock(
            aws.client("s3control", runbook.to_region), aws.client("sts", runbook.to_region)
        )
        if page.s3_bucket
        else None,
        cloudwatch=aws.client("cloudwatch", runbook.to_region),
        statuspage=statuspage,
    )


def wsgi_app(runtime: Runtime) -> SlackWsgiApp:
    """The WSGI application of a runtime: /slack/events, /healthz, /metrics, and the public /status, /status.json."""
    from bot.serve.slack_setup import delivery_trouble
    from bot.status.render import public_pages

    return SlackWsgiApp(
        runtime.app,
        runtime.database,
        signing_secret=runtime.settings.slack_signing_secret or "",
        metrics=runtime.metrics,
        pages=public_pages(runtime.services),
        audit_failure=lambda: runtime.services.audit_failure,
        slack_trouble=lambda: delivery_trouble(runtime.database),
    )


def serve_http(runtime: Runtime, *, host: str, port: int, threads: int, stop: threading.Event) -> None:
    """Serve over HTTP until `stop` is set, then finish the requests in flight."""
    with HttpServer(wsgi_app(runtime), host=host, port=port, threads=threads) as server:
        log.info(
            "listening on %s (Slack requests: %s, health: %s, metrics: %s, %d threads)",
            server.url,
            EVENTS_PATH,
            HEALTH_PATH,
            METRICS_PATH,
            threads,
        )
        _wait(stop)
        log.info("stopping: finishing the requests in flight")
    log.info("stopped")


def serve_socket(
    runtime: Runtime,
    *,
    stop: threading.Event,
    handler_factory=None,
    health_port: int | None = None,
    host: str = "0.0.0.0",
) -> None:
    """Connect to Slack over Socket Mode with SLACK_APP_TOKEN until `stop` is set.

    With `health_port`, /healthz, /metrics and the public /status and /status.json are served over
    HTTP too (no Slack path: events arrive over the socket), for the orchestrator's health check,
    Prometheus and the people the status page is for.
    """
    if health_port is not None:
        from bot.serve.slack_setup import delivery_trouble
        from bot.status.render import public_pages

        probes = SlackWsgiApp(
            runtime.app,
            runtime.database,
            events_path="",
            metrics=runtime.metrics,
            pages=public_pages(runtime.services),
            audit_failure=lambda: runtime.services.audit_failure,
            slack_trouble=lambda: delivery_trouble(runtime.database),
        )
        with HttpServer(probes, host=host, port=health_port, threads=2) as server:
            log.info(
                "health, metrics and status page on %s (%s, %s, %s)",
                server.url,
                HEALTH_PATH,
                METRICS_PATH,
                ", ".join(sorted(probes.pages)),
            )
            serve_socket(runtime, stop=stop, handler_factory=handler_factory)
        return
    if handler_factory is None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler as handler_factory
    handler = handler_factory(
        runtime.app, app_token=runtime.settings.slack_app_token, web_client=runtime.client
    )
    admit_envelopes(handler)
    handler.connect()
    log.info("connected to Slack over Socket Mode")
    try:
        _wait(stop)
        log.info("stopping: closing the Socket Mode connection")
    finally:
        handler.close()
    log.info("stopped")


def admit_envelopes(handler) -> None:
    """Check each Socket Mode envelope's shape before Bolt reads it; a refused or failing one is acked
    empty (Slack does not redeliver it) and logged as its reason only, never its payload."""
    from slack_sdk.socket_mode.response import SocketModeResponse

    from bot.serve.admission import envelope_problem

    listeners = handler.client.socket_mode_request_listeners
    original = handler.handle

    def admitted(client, req) -> None:
        problem = envelope_problem(req.type, req.payload)
        if problem is None:
            try:
                return original(client, req)
            except Exception as exc:  # noqa: BLE001 - one line, the envelope is acked empty below
                problem = f"could not be handled ({type(exc).__name__})"
        log.warning("refused a Socket Mode envelope: %s", problem)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        return None

    listeners[:] = [admitted if listener == original else listener for listener in listeners]


def stop_on_signals(stop: threading.Event) -> None:
    """Set `stop` on SIGTERM (the orchestrator) and SIGINT (Ctrl-C)."""

    def received(signum: int, _frame: object) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, received)


def _wait(stop: threading.Event) -> None:
    while not stop.wait(0.5):  # short waits keep the main thread responsive to signals
        pass


def _serve_args(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="serve /slack/events and /healthz over HTTP")
    mode.add_argument(
        "--socket", action="store_true", help="connect to Slack over Socket Mode (SLACK_APP_TOKEN)"
    )
    parser.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000; 0 picks a free one)")
    parser.add_argument("--host", default="0.0.0.0", help="HTTP address to bind (default 0.0.0.0)")
    parser.add_argument(
        "--health-port",
        type=int,
        default=None,
        help="--socket: also serve /healthz, /metrics, /status and /status.json on this port",
    )
    parser.add_argument("--threads", type=int, default=HTTP_THREADS, help="HTTP worker threads (default 8)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


@subcommand("serve", _serve_args, "serve the Slack app over HTTP (--http) or Socket Mode (--socket)")
def serve_command(args: argparse.Namespace) -> int:
    """`serve --http [--port N] [--host H]` or `serve --socket`; returns 0 after a graceful stop."""
    mode = "serve --http" if args.http else "serve --socket"
    settings = require(load_settings(), mode)
    release_file = hold_sqlite_file(settings.database_url, settings.cutover_templates_dir)
    configure_logging(
        args.log_level, secrets=secrets_of(settings), json_lines=settings.cutover_log_format == "json"
    )
    runtime = build_runtime(settings)
    stop = threading.Event()
    stop_on_signals(stop)
    stop_background = run_background(runtime.services, runtime.metrics)
    gc.freeze()  # what start-up built (plan, templates, engine) lives as long as the process: never rescanned
    try:
        if args.http:
            serve_http(runtime, host=args.host, port=args.port, threads=args.threads, stop=stop)
        else:
            serve_socket(runtime, stop=stop, health_port=args.health_port, host=args.host)
    finally:
        stop_background()
        runtime.database.dispose()
        release_file()
    return 0


def secrets_of(settings: Settings) -> list[str | None]:
    """The values no log line may show: the tokens, the signing secret, the database password."""
    from sqlalchemy.engine import make_url

    password = make_url(settings.database_url).password
    return [
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_user_token,
        settings.slack_signing_secret,
        settings.cutover_statuspage_api_key,
        settings.cutover_audit_key,
        str(password) if password else None,
    ]
