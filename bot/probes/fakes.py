"""Fakes for every probe whose state tests and rehearsals change (fault injection included).

`FakeArc` and `FakeGlobalCluster` are fake boto3 *clients* (moto has no backend for Route 53 ARC
or DocumentDB global clusters): the real `ArcRoutingState` / `DocDbGlobalCluster` probes run over
them unchanged. `FakeInfrastructure` is an in-memory East/West platform (MSK, DocumentDB, S3,
alarms, metrics, dependencies) with the faults the data-integrity tests inject as methods; `.probes()` gives a `Probes`.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from bot.probes.arc import ArcRoutingState, DocDbGlobalCluster
from cutover.plan.model import Runbook
from cutover.probes import Metrics, Probes, Reading


class FakeArc:
    """A route53-recovery-cluster client: routing control ARN -> "On" / "Off"; `down` makes it unreachable."""

    def __init__(self, states: dict[str, str] | None = None) -> None:
        self.states = dict(states or {})
        self.down = False

    def get_routing_control_state(self, *, RoutingControlArn: str) -> dict[str, Any]:  # noqa: N803 - boto3 names
        """As boto3: the control's state, or ResourceNotFoundException."""
        self._reachable()
        if RoutingControlArn not in self.states:
            raise _client_error(
                "ResourceNotFoundException",
                f"no routing control {RoutingControlArn}",
                "GetRoutingControlState",
            )
        return {
            "RoutingControlArn": RoutingControlArn,
            "RoutingControlState": self.states[RoutingControlArn],
            "RoutingControlName": RoutingControlArn.rsplit("/", 1)[-1],
        }

    def update_routing_control_state(
        self,
        *,
        RoutingControlArn: str,
        RoutingControlState: str,  # noqa: N803
        SafetyRulesToOverride: list | None = None,
    ) -> dict[str, Any]:  # noqa: N803
        """As boto3: set a control On or Off."""
        self._reachable()
        self.states[RoutingControlArn] = RoutingControlState
        return {}

    def _reachable(self) -> None:
        if self.down:
            raise EndpointConnectionError(endpoint_url="https://fake-arc-cluster/v1")


class FakeGlobalCluster:
    """A docdb client answering describe_global_clusters / failover_global_cluster for one global cluster."""

    def __init__(self, identifier: str, members: dict[str, str], writer_region: str) -> None:
        self.identifier = identifier
        self.members = dict(members)  # region -> cluster ARN
        self.writer_region = writer_region
        self.status = "available"
        self.down = False

    def describe_global_clusters(self, *, GlobalClusterIdentifier: str) -> dict[str, Any]:  # noqa: N803
        """As boto3: the global cluster with its members and which one is the writer."""
        if self.down:
            raise EndpointConnectionError(endpoint_url="https://rds.fake.amazonaws.com")
        if GlobalClusterIdentifier != self.identifier:
            raise _client_error(
                "GlobalClusterNotFoundFault", f"{GlobalClusterIdentifier} not found", "DescribeGlobalClusters"
            )
        members = [
            {"DBClusterArn": arn, "IsWriter": region == self.writer_region, "Readers": []}
            for region, arn in self.members.items()
        ]
        return {
            "GlobalClusters": [
                {
                    "GlobalClusterIdentifier": self.identifier,
                    "Status": self.status,
                    "GlobalClusterMembers": members,
                }
            ]
        }

    def failover_global_cluster(
        self,
        *,
        GlobalClusterIdentifier: str,
        TargetDbClusterIdentifier: str,  # noqa: N803
        **_: Any,
    ) -> dict[str, Any]:
        """As boto3: make the target cluster the writer."""
        region = next(r for r, arn in self.members.items() if arn == TargetDbClusterIdentifier)
        self.writer_region = region
        return self.describe_global_clusters(GlobalClusterIdentifier=GlobalClusterIdentifier)


def _client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def etag(text: str) -> str:
    """An MD5 ETag, as S3 gives for a single-part upload."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class FakeInfrastructure:
    """An in-memory East/West platform whose data and faults tests and rehearsals control."""

    def __init__(self, regions: tuple[str, str] = ("us-east-1", "us-west-2")) -> None:
        self.regions = regions
        self.msk: dict[str, dict[str, int]] = {r: {} for r in regions}
        self.lag: dict[str, dict[str, int]] = {r: {} for r in regions}
        self.documentdb: dict[str, dict[str, dict[str, int]]] = {r: {} for r in regions}
        self.s3: dict[str, dict[str, dict[str, str]]] = {
            r: {} for r in regions
        }  # region -> bucket -> key -> etag
        self.alarms: dict[str, str] = {}
        self.critical: list[str] = []
        self.metrics: dict[str, Metrics] = {
            r: Metrics(0.1, 200.0, 1000.0, 2.0, source=f"fake:{r}") for r in regions
        }
        self.dependencies: dict[str, int | None] = {}
        self.unreachable: set[str] = (
            set()
        )  # sources that do not answer: msk, documentdb, s3, cloudwatch, http
        self.arc = FakeArc()
        self.global_cluster = FakeGlobalCluster(
            "nxop-docdb-global",
            {r: f"arn:aws:rds:{r}:111122223333:cluster:nxop-docdb-{r}" for r in regions},
            regions[0],
        )
        self.fxip_region = regions[0]

    @classmethod
    def for_plan(
        cls, plan: Runbook, *, objects_per_bucket: int = 3, documents: int = 100
    ) -> FakeInfrastructure:
        """A healthy platform with the runbook's topics, groups, collections, buckets and alarms, both regions equal."""
        infra = cls((plan.from_region, plan.to_region))
        checks = plan.data_checks
        if checks is None:  # nothing to fill in: a healthy platform with no data of its own
            return infra
        for region in infra.regions:
            infra.msk[region] = {t: 10_000 * (n + 1) for n, t in enumerate(checks.msk_topics)}
            infra.lag[region] = {g: 10 for g in checks.consumer_groups}
            infra.documentdb[region] = {
                c: {"count": documents, "checksum": documents * 3} for c in checks.collections
            }
            infra.s3[region] = {
                f"{loc.bucket}/{loc.prefix}": {
                    f"{loc.prefix}doc-{i}.pdf": etag(f"{loc.bucket}-{i}") for i in range(objects_per_bucket)
                }
                for loc in checks.s3
            }
        infra.alarms = {name: "OK" for name in checks.readiness_alarms}
        dependencies = plan.business.external_dependencies if plan.business else []
        infra.dependencies = {dep.key: 200 for dep in dependencies}
        base = "arn:aws:route53-recovery-control::111122223333:controlpanel/nxop-cutover/routingcontrol/"
        infra.arc.states = {base + "nxop-use1-msk": "On", base + "nxop-usw2-msk": "Off"}
        return infra

    # --- faults ----------------------------------------------------------------------------------

    def delete_object(self, region: str, location: str, key: str) -> None:
        """An S3 object disappears ("bucket/prefix", key)."""
        del self.s3[region][location][key]

    def lose_documents(self, region: str, collection: str, count: int) -> None:
        """A collection loses documents (and their checksum share)."""
        stats = self.documentdb[region][collection]
        stats["checksum"] -= stats["checksum"] * count // max(stats["count"], 1)
        stats["count"] -= count

    def set_lag(self, region: str, group: str, lag: int) -> None:
        """A consumer group's lag (e.g. stuck above 1,000)."""
        self.lag[region][group] = lag

    def set_alarm(self, name: str, state: str) -> None:
        """A readiness alarm's state (OK, ALARM, INSUFFICIENT_DATA)."""
        self.alarms[name] = state

    def set_dependency(self, key: str, status: int | None) -> None:
        """A dependency's health endpoint answers this HTTP status, or is down (None)."""
        self.dependencies[key] = status

    def produce(self, topic: str, count: int, regions: tuple[str, ...] | None = None) -> None:
        """New messages on a topic (replicated to every region unless told otherwise)."""
        for region in regions or self.regions:
            self.msk[region][topic] = self.msk[region].get(topic, 0) + count

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the data, to compare before and after."""
        return copy.deepcopy({"msk": self.msk, "documentdb": self.documentdb, "s3": self.s3})

    def probes(self) -> Probes:
        """The probes reading this platform (ARC and global cluster through the real probe classes)."""
        arns = {r: arn for arn in self.arc.states for r in self.regions if _region_tag(r) in arn}
        return Probes(
            readiness=_Readiness(self),
            alarms=_Alarms(self),
            metrics=_Metrics(self),
            msk=_Msk(self),
            documentdb=_DocumentDb(self),
            s3=_S3(self),
            arc=ArcRoutingState(lambda *args: self.arc, {self.regions[1]: "https://fake-arc"}, arns),
            global_cluster=DocDbGlobalCluster(self.global_cluster, self.global_cluster.identifier),
            dependencies=_Dependencies(self),
            fxip=_Fxip(self),
        )


def _region_tag(region: str) -> str:
    return {"us-east-1": "use1", "us-west-2": "usw2"}.get(region, region)


class _Part:
    def __init__(self, infra: FakeInfrastructure) -> None:
        self.infra = infra

    def _down(self, source: str) -> Reading | None:
        if source in self.infra.unreachable:
            return Reading(ok=None, source=f"fake-{source}", error=f"{source} unreachable (injected)")
        return None


class _Readiness(_Part):
    def readiness(self) -> Reading:
        if down := self._down("cloudwatch"):
            return down
        states = self.infra.alarms
        not_ok = [f"{n} ({s})" for n, s in states.items() if s != "OK"]
        score = (len(states) - len(not_ok)) / len(states) if states else 0.0
        return Reading(
            ok=score >= 0.9,
            value=score,
            source="fake-cloudwatch",
            details={"alarms": dict(states), "not_ok": not_ok},
        )


class _Alarms(_Part):
    def critical_alarms(self) -> Reading:
        if down := self._down("cloudwatch"):
            return down
        return Reading(ok=not self.infra.critical, value=list(self.infra.critical), source="fake-cloudwatch")


class _Metrics(_Part):
    def metrics(self, region: str) -> Metrics:
        return self.infra.metrics[region]


class _Msk(_Part):
    def topic_counts(self, region: str, topics: list[str]) -> Reading:
        if down := self._down("msk"):
            return down
        return Reading(
            ok=True,
            value={t: self.infra.msk[region][t] for t in topics if t in self.infra.msk[region]},
            source=f"fake-msk:{region}",
        )

    def consumer_lag(self, region: str, groups: list[str]) -> Reading:
        if down := self._down("msk"):
            return down
        return Reading(
            ok=True,
            value={g: self.infra.lag[region][g] for g in groups if g in self.infra.lag[region]},
            source=f"fake-msk:{region}",
        )


class _DocumentDb(_Part):
    def collection_stats(self, region: str, collections: list[str], checksum_field: str) -> Reading:
        if down := self._down("documentdb"):
            return down
        data = self.infra.documentdb[region]
        return Reading(
            ok=True,
            value={c: dict(data[c]) for c in collections if c in data},
            source=f"fake-documentdb:{region}",
        )


class _S3(_Part):
    def objects(self, region: str, bucket: str, prefix: str = "") -> Reading:
        if down := self._down("s3"):
            return down
        keys = self.infra.s3[region].get(f"{bucket}/{prefix}")
        if keys is None:
            return Reading(ok=None, source=f"fake-s3:{region}:{bucket}", error="NoSuchBucket")
        return Reading(ok=True, value=dict(keys), source=f"fake-s3:{region}:{bucket}")


class _Dependencies(_Part):
    def health(self, key: str, url: str | None) -> Reading:
        status = self.infra.dependencies.get(key)
        if status is None or "http" in self.infra.unreachable:
            return Reading(ok=None, source=f"fake-http:{key}", error="connection refused (injected)")
        return Reading(ok=200 <= status < 300, value=status, source=f"fake-http:{key}")


class _Fxip(_Part):
    def active_region(self) -> Reading:
        return Reading(ok=True, value=self.infra.fxip_region, source="fake-documentdb")
