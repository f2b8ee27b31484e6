"""Route 53 ARC routing control state and the DocumentDB global cluster's primary (boto3)."""

from __future__ import annotations

from typing import Any

from bot.probes.aws import AWS_ERRORS, short_error, unknown
from cutover.probes import Reading


class ArcRoutingState:
    """get_routing_control_state for each region's control, trying the cluster endpoints in turn."""

    def __init__(self, client_for: Any, endpoints: dict[str, str], controls: dict[str, str]) -> None:
        self.client_for = client_for  # (service, region, endpoint_url) -> client
        self.endpoints, self.controls = endpoints, controls

    def routing_state(self) -> Reading:
        """value: {region: True when its routing control is On}."""
        if not self.controls or not self.endpoints:
            return Reading(
                ok=None, source="arc", error="no ARC cluster endpoints or routing controls configured"
            )
        errors = []
        for region, url in self.endpoints.items():
            client = self.client_for("route53-recovery-cluster", region, url)
            try:
                states = {
                    r: client.get_routing_control_state(RoutingControlArn=arn)["RoutingControlState"] == "On"
                    for r, arn in self.controls.items()
                }
            except AWS_ERRORS as exc:
                errors.append(f"{region}: {short_error(exc)}")
                continue
            return Reading(ok=True, value=states, source=f"arc:{region}")
        return Reading(ok=None, source="arc", error="; ".join(errors))


class DocDbGlobalCluster:
    """describe_global_clusters: the region of the member that is the writer."""

    def __init__(self, client: Any, identifier: str) -> None:
        self.client, self.identifier = client, identifier

    def primary_region(self) -> Reading:
        """value: the writer's region (from its cluster ARN)."""
        source = f"docdb-global:{self.identifier}"
        try:
            clusters = self.client.describe_global_clusters(GlobalClusterIdentifier=self.identifier)[
                "GlobalClusters"
            ]
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        writers = [
            m["DBClusterArn"]
            for c in clusters
            for m in c.get("GlobalClusterMembers", [])
            if m.get("IsWriter")
        ]
        if not writers:
            return Reading(ok=None, source=source, error="no writer in the global cluster")
        status = clusters[0].get("Status", "")
        return Reading(
            ok=status in ("available", ""),
            value=writers[0].split(":")[3],
            source=source,
            details={"status": status, "writer": writers[0]},
        )
