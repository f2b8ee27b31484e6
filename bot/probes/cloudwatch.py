"""CloudWatch probes: readiness alarms, critical alarms, platform metrics, MSK counts and consumer lag."""

from __future__ import annotations

from datetime import timedelta

from bot.probes.aws import AWS_ERRORS, AwsClients, short_error, unknown
from bot.probes.config import MetricSpec
from commands.context import Clock
from cutover.probes import Metrics, Reading


class CloudWatchReader:
    """The latest datapoint of a metric within the lookback window."""

    def __init__(self, clients: AwsClients, clock: Clock) -> None:
        self.clients, self.clock = clients, clock

    def latest(self, region: str, spec: MetricSpec, extra: dict[str, str] | None = None) -> float | None:
        """The most recent value of the metric's statistic, or None when there is no datapoint."""
        now = self.clock.now()
        dims = {**spec.dimensions, **(extra or {})}
        answer = self.clients.client("cloudwatch", region).get_metric_statistics(
            Namespace=spec.namespace,
            MetricName=spec.name,
            Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
            StartTime=now - timedelta(minutes=self.clients.settings.lookback_minutes),
            EndTime=now + timedelta(minutes=1),
            Period=60,
            Statistics=[spec.statistic],
        )
        points = sorted(answer.get("Datapoints", []), key=lambda p: p["Timestamp"])
        return float(points[-1][spec.statistic]) if points else None


class CloudWatchReadiness:
    """Readiness = the share of the runbook's readiness alarms in OK (an alarm that is missing is not OK)."""

    def __init__(self, clients: AwsClients, region: str, alarm_names: list[str], threshold: float) -> None:
        self.clients, self.region, self.alarm_names, self.threshold = clients, region, alarm_names, threshold

    def readiness(self) -> Reading:
        """value: the score 0..1; details: each alarm's state and those not OK."""
        source = f"cloudwatch:{self.region}"
        if not self.alarm_names:
            return Reading(ok=None, source=source, error="no readiness alarms in the runbook (data_checks)")
        try:
            states = _alarm_states(self.clients.client("cloudwatch", self.region), self.alarm_names)
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        states = {name: states.get(name, "MISSING") for name in self.alarm_names}
        not_ok = [f"{name} ({state})" for name, state in states.items() if state != "OK"]
        score = (len(states) - len(not_ok)) / len(states)
        return Reading(
            ok=score >= self.threshold,
            value=score,
            source=source,
            details={"alarms": states, "not_ok": not_ok},
        )


class CloudWatchAlarms:
    """Critical alarms: alarms whose name starts with the configured prefix that are in ALARM."""

    def __init__(self, clients: AwsClients, region: str, prefix: str) -> None:
        self.clients, self.region, self.prefix = clients, region, prefix

    def critical_alarms(self) -> Reading:
        """value: the names in ALARM; ok False when any."""
        source = f"cloudwatch:{self.region}"
        try:
            pages = (
                self.clients.client("cloudwatch", self.region)
                .get_paginator("describe_alarms")
                .paginate(AlarmNamePrefix=self.prefix, StateValue="ALARM")
            )
            names = sorted(
                a["AlarmName"]
                for page in pages
                for a in page.get("MetricAlarms", [])
                if a.get("StateValue") == "ALARM"
            )
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        return Reading(ok=not names, value=names, source=source)


class CloudWatchMetrics:
    """The four platform metrics (error rate, P95 latency, throughput, replication lag) in a region."""

    def __init__(self, reader: CloudWatchReader, specs: dict[str, MetricSpec]) -> None:
        self.reader, self.specs = reader, specs

    def metrics(self, region: str) -> Metrics:
        """Each metric's latest datapoint (None when not measured)."""
        values: dict[str, float | None] = {}
        errors = []
        for field_name, spec in self.specs.items():
            try:
                values[field_name] = self.reader.latest(region, spec)
            except AWS_ERRORS as exc:
                values[field_name] = None
                errors.append(f"{field_name}: {short_error(exc)}")
        return Metrics(**values, source=f"cloudwatch:{region}", error="; ".join(errors))


class CloudWatchMsk:
    """MSK per-topic message counts and per-group consumer lag (SumOffsetLag) from CloudWatch."""

    def __init__(
        self,
        reader: CloudWatchReader,
        cluster: str,
        count_metric: MetricSpec,
        lag_namespace: str,
        topics: list[str],
    ) -> None:
        self.reader, self.cluster, self.count_metric = reader, cluster, count_metric
        self.lag_namespace, self.topics = lag_namespace, topics

    def topic_counts(self, region: str, topics: list[str]) -> Reading:
        """value: {topic: count}; unknown when any topic has no datapoint."""
        source = f"cloudwatch-msk:{region}"
        counts, missing = {}, []
        try:
            for topic in topics:
                value = self.reader.latest(
                    region, self.count_metric, {"Cluster Name": self.cluster, "Topic": topic}
                )
                if value is None:
                    missing.append(topic)
                else:
                    counts[topic] = int(value)
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        if missing:
            return Reading(
                ok=None, value=counts, source=source, error=f"no datapoint for {', '.join(missing)}"
            )
        return Reading(ok=True, value=counts, source=source)

    def consumer_lag(self, region: str, groups: list[str]) -> Reading:
        """value: {group: SumOffsetLag summed over the runbook's topics}; unknown for a group with no datapoint."""
        source = f"cloudwatch-msk:{region}"
        spec = MetricSpec(namespace=self.lag_namespace, name="SumOffsetLag", statistic="Maximum")
        lags, missing = {}, []
        try:
            for group in groups:
                found = [
                    self.reader.latest(
                        region, spec, {"Cluster Name": self.cluster, "Consumer Group": group, "Topic": topic}
                    )
                    for topic in self.topics
                ]
                values = [v for v in found if v is not None]
                if values:
                    lags[group] = int(sum(values))
                else:
                    missing.append(group)
        except AWS_ERRORS as exc:
            return unknown(source, exc)
        if missing:
            return Reading(
                ok=None, value=lags, source=source, error=f"no SumOffsetLag for {', '.join(missing)}"
            )
        return Reading(ok=True, value=lags, source=source)


def _alarm_states(client, names: list[str]) -> dict[str, str]:
    states = {}
    for start in range(0, len(names), 100):  # describe_alarms takes at most 100 names
        for page in client.get_paginator("describe_alarms").paginate(AlarmNames=names[start : start + 100]):
            states.update({a["AlarmName"]: a["StateValue"] for a in page.get("MetricAlarms", [])})
    return states
