"""Every probe call has a timeout; a source that does not answer is unknown with the error, never a pass."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler

import pytest
from pymongo import MongoClient

from bot.clock import SystemClock
from bot.probes.arc import ArcRoutingState, DocDbGlobalCluster
from bot.probes.aws import AwsClients
from bot.probes.cloudwatch import CloudWatchReadiness
from bot.probes.config import ProbeSettings
from bot.probes.documentdb import MongoClients, MongoCollections
from bot.probes.fakes import FakeArc, FakeGlobalCluster
from bot.probes.http_health import HttpDependencies
from bot.probes.s3 import S3Objects
from bot.probes.wiring import build_probes
from tests.support.quiet_server import QuietHTTPServer


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def health_server():
    """An HTTP server: /ok answers 200, /down answers 503."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/ok" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = QuietHTTPServer(("127.0.0.1", 0), Handler).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.close()


@pytest.fixture
def quick(monkeypatch, silent_port) -> ProbeSettings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return ProbeSettings(
        aws_endpoint_url=f"http://127.0.0.1:{silent_port}",
        connect_timeout_s=0.3,
        read_timeout_s=0.3,
        max_attempts=1,
        http_timeout_s=0.3,
    )


def test_cloudwatch_and_s3_that_never_answer_are_unknown(quick):
    clients = AwsClients(quick)
    readiness = CloudWatchReadiness(clients, "us-west-2", ["nxop-usw2-readiness-msk"], 0.9).readiness()
    assert readiness.ok is None and "ReadTimeoutError" in readiness.error
    objects = S3Objects(clients).objects("us-east-1", "nxop-pilot-documents")
    assert objects.ok is None and "ReadTimeoutError" in objects.error


def test_a_dependency_endpoint_that_hangs_or_is_down(quick, silent_port, health_server):
    http = HttpDependencies(timeout_s=0.3)
    hanging = http.health("flightkeys", f"http://127.0.0.1:{silent_port}/health")
    assert hanging.ok is None and "timed out" in hanging.error
    assert http.health("aircom", f"{health_server}/down").ok is False
    assert (
        http.health("aircom", f"{health_server}/down").value,
        http.health("opshub", f"{health_server}/ok").ok,
    ) == (503, True)
    assert http.health("opshub", None).ok is None


def test_documentdb_that_does_not_answer_is_unknown(silent_port):
    clients = MongoClients(
        {"us-west-2": f"mongodb://127.0.0.1:{silent_port}/?directConnection=true"},
        server_selection_ms=300,
        socket_ms=300,
        factory=MongoClient,
    )
    reading = MongoCollections(clients, "nxop").collection_stats("us-west-2", ["flight_plans"], "version")
    assert reading.ok is None and "ServerSelectionTimeoutError" in reading.error


def test_arc_and_global_cluster_fakes_through_the_real_probes_and_their_failures():
    base = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/"
    arc_client = FakeArc({base + "use1": "On", base + "usw2": "Off"})
    probe = ArcRoutingState(
        lambda *args: arc_client,
        {"us-west-2": "https://a", "us-east-1": "https://b"},
        {"us-east-1": base + "use1", "us-west-2": base + "usw2"},
    )
    assert probe.routing_state().value == {"us-east-1": True, "us-west-2": False}
    arc_client.update_routing_control_state(RoutingControlArn=base + "usw2", RoutingControlState="On")
    arc_client.update_routing_control_state(RoutingControlArn=base + "use1", RoutingControlState="Off")
    assert probe.routing_state().value == {"us-east-1": False, "us-west-2": True}
    arc_client.down = True
    down = probe.routing_state()
    assert (
        down.ok is None and "us-west-2: EndpointConnectionError" in down.error and "us-east-1:" in down.error
    )

    cluster = FakeGlobalCluster(
        "nxop-docdb-global",
        {"us-east-1": "arn:aws:rds:us-east-1:1:cluster:e", "us-west-2": "arn:aws:rds:us-west-2:1:cluster:w"},
        "us-east-1",
    )
    primary = DocDbGlobalCluster(cluster, "nxop-docdb-global")
    assert primary.primary_region().value == "us-east-1"
    cluster.failover_global_cluster(
        GlobalClusterIdentifier="nxop-docdb-global",
        TargetDbClusterIdentifier="arn:aws:rds:us-west-2:1:cluster:w",
        Switchover=True,
    )
    assert primary.primary_region().value == "us-west-2"
    assert DocDbGlobalCluster(cluster, "other").primary_region().ok is None
    cluster.down = True
    assert primary.primary_region().ok is None


def test_real_arc_client_without_an_answer_is_unknown(quick, plan, silent_port):
    settings = quick.model_copy(
        update={
            "arc_endpoints": {"us-west-2": f"http://127.0.0.1:{silent_port}/v1"},
            "arc_controls": {"us-west-2": "arn:aws:route53-recovery-control::1:x"},
        }
    )
    probes = build_probes(plan, settings, SystemClock())
    reading = probes.arc.routing_state()
    assert reading.ok is None and "ReadTimeoutError" in reading.error
    assert probes.global_cluster.primary_region().ok is None
