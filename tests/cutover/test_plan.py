"""The runbook and roster files: the shipped NXOP plan encodes the seed, bad files are refused clearly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.cli import plan_problem_lines
from cutover.errors import PlanError
from cutover.plan.model import Runbook, default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SMALL_RUNBOOK = FIXTURES / "small-runbook.yaml"
SMALL_ROSTER = FIXTURES / "small-roster.yaml"


def said(error: PlanError) -> list[str]:
    """The lines `cutover-bot plan check` prints for a bad file."""
    return plan_problem_lines(error).splitlines()


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


@pytest.fixture(scope="module")
def nxop() -> Runbook:
    return load_runbook(default_runbook_path())


# --- the NXOP runbook encodes the seed --------------------------------------------------------


def test_nxop_phases_stages_and_step_ids(nxop: Runbook) -> None:
    assert {p.id: (p.stage, [s.id for s in p.steps]) for p in nxop.phases} == {
        "0": (0, ["0.1", "0.2", "0.3"]),
        "1A": (1, ["1A.1", "1A.2", "1A.3", "1A.4"]),
        "1B": (1, ["1B.1", "1B.2", "1B.3", "1B.4"]),
        "2A": (2, ["2A.1", "2A.2"]),
        "2B": (2, ["2B.1", "2B.2"]),
        "3": (3, ["3.1", "3.2", "3.3", "3.4"]),
    }
    assert [[p.id for p in stage] for stage in nxop.stages] == [["0"], ["1A", "1B"], ["2A", "2B"], ["3"]]
    assert {p.id: p.lead for p in nxop.phases} == {
        "0": "operations",
        "1A": "operations",
        "1B": "database_admin",
        "2A": "network_engineer",
        "2B": "application_engineer",
        "3": "operations",
    }
    assert {p.id: p.target for p in nxop.phases} == {
        "0": None,
        "1A": minutes(7),
        "1B": minutes(7),
        "2A": minutes(10),
        "2B": minutes(10),
        "3": minutes(19),  # Phase 3's step timeouts (the seed's 10 cannot hold; see `rulings`)
    }


def test_nxop_step_timeouts(nxop: Runbook) -> None:
    timeouts = {step_id: step.timeout.total_seconds() for step_id, step in nxop.steps_by_id.items()}
    assert timeouts == {
        "0.1": 300, "0.2": 300, "0.3": 300,
        "1A.1": 60, "1A.2": 120, "1A.3": 60, "1A.4": 180,
        "1B.1": 30, "1B.2": 240, "1B.3": 90, "1B.4": 60,
        "2A.1": 420, "2A.2": 180,
        "2B.1": 300, "2B.2": 300,
        "3.1": 120, "3.2": 600, "3.3": 300, "3.4": 120,
    }  # fmt: skip


def test_nxop_raci_follows_the_seed_matrix(nxop: Runbook) -> None:
    steps = nxop.steps_by_id
    notify = steps["0.3"].raci
    assert (notify.R, notify.A, notify.C, notify.I) == (
        ["incident_commander"],
        ["management"],
        ["operations"],
        ["all"],
    )
    for step_id in ("1A.1", "1A.2", "1A.3", "1A.4"):
        assert steps[step_id].raci.R == ["operations"]
        assert steps[step_id].raci.I == ["management"]
    for step_id in ("1B.1", "1B.2", "1B.3", "1B.4"):
        assert steps[step_id].raci.R == ["database_admin"]
        assert steps[step_id].raci.I == ["operations"]
    assert steps["2A.1"].raci.R == ["network_engineer"]
    assert steps["2B.1"].raci.R == ["application_engineer"]
    assert steps["3.2"].raci.R == ["database_admin", "operations"]
    success = steps["3.4"].raci
    assert (success.R, success.A, success.C, success.I) == (
        ["incident_commander"],
        ["management"],
        ["all"],
        ["all"],
    )
    for step in steps.values():
        assert step.procedure and step.command and step.expected, step.id


def test_nxop_akamai_step_has_the_seed_procedure(nxop: Runbook) -> None:
    akamai = nxop.steps_by_id["2A.1"]
    assert len(akamai.procedure) == 10
    assert akamai.procedure[0] == "Log into Akamai Control Center (https://control.akamai.com)"
    assert akamai.procedure[-1] == "If validation fails: Revert change immediately"
    assert "dig api.nxop.com @8.8.8.8" in akamai.command
    assert akamai.expected == "CNAME points to us-west-2 NLB"
    assert len(akamai.rollback_procedure) == 4


def test_nxop_gates(nxop: Runbook) -> None:
    gates = nxop.gates_by_number
    assert {n: g.after for n, g in gates.items()} == {
        1: ["0"],
        2: ["1A"],
        3: ["1B"],
        4: ["2A", "2B"],
        5: ["3"],
    }
    assert {n: g.timeout for n, g in gates.items()} == {
        1: None,
        2: minutes(7),
        3: minutes(7),
        4: minutes(10),
        5: minutes(19),  # the step timeouts rule over the seed's 10 minutes
    }
    assert gates[1].timeout_note == "No timeout (wait for green)"
    assert gates[1].decision == "Proceed to Phase 1 or Abort"
    assert gates[4].checkpoint == "Akamai GTM updated AND AMQP connected?"
    for number in (1, 2, 3, 4):
        assert gates[number].approvers == ["incident_commander"]
        assert gates[number].approval == "any"
    assert gates[5].approvers == ["incident_commander", "management"]
    assert gates[5].approval == "all"
    assert gates[5].decision == "Declare Success or Rollback"


def test_nxop_rollbacks_and_rtos(nxop: Runbook) -> None:
    rollbacks = nxop.rollbacks_by_id
    assert {key: (r.name, r.rto) for key, r in rollbacks.items()} == {
        "R1": ("Partial", minutes(3.5)),
        "R2": ("Full", minutes(19)),
        "R3": ("Emergency", minutes(35)),
    }
    assert [s.id for s in rollbacks["R2"].steps] == [f"R2.{i}" for i in range(1, 8)]
    assert [len(r.validation) for r in rollbacks.values()] == [7, 10, 9]
    incident_response = nxop.rollback_steps_by_id["R3.5"]
    assert incident_response.parallel and incident_response.duration == timedelta(0)
    assert nxop.authority.rollback == {
        "R1": ["incident_commander"],
        "R2": ["incident_commander"],
        "R3": ["incident_commander", "management"],
    }


def test_nxop_decision_matrix(nxop: Runbook) -> None:
    matrix = nxop.decision_matrix
    assert matrix is not None and matrix.stage == 1 and matrix.coordinator == "incident_commander"
    rows = [((r.statuses["1A"], r.statuses["1B"]), r.action, r.rollback) for r in matrix.rows]
    assert rows == [
        (("success", "success"), "Proceed to Phase 2", None),
        (("success", "failed"), "Rollback Phase 1A", "R1"),
        (("failed", "success"), "Rollback Phase 1B", "R2"),
        (("failed", "failed"), "Rollback both", "R2"),
        (("in_progress", "failed"), "Abort 1A, Rollback 1B", "R2"),
        (("failed", "in_progress"), "Rollback 1A, Abort 1B", "R1"),
    ]
    [upgrade] = matrix.upgrades
    assert (upgrade.if_step_done, upgrade.replace, upgrade.by) == ("1B.2", "R1", "R2")


def test_nxop_partial_success_escalations_degradation_sla(nxop: Runbook) -> None:
    scenarios = {s.id: s for s in nxop.partial_success}
    assert list(scenarios) == ["S1", "S2", "S3"]
    assert (scenarios["S1"].when.succeeded, scenarios["S1"].when.failed) == (["1A"], ["1B"])
    assert [s.recommended_rollback for s in scenarios.values()] == ["R1", "R2", "R2"]
    assert scenarios["S2"].criteria[0] == "If AMQP affects > 50% of flows: Full Rollback"
    assert scenarios["S3"].when.failed == ["3"]
    assert scenarios["S3"].rto == "10 minutes (fix) or 19 minutes (rollback)"

    triggers = {t.trigger: t.escalate_to for t in nxop.escalations.triggers}
    assert triggers == {
        "step_timeout": ["incident_commander"],
        "gate_timeout": ["incident_commander"],
        "validation_failure": ["engineering_lead"],
        "rollback_decision": ["management", "incident_commander"],
        "critical_alarm": ["all"],
    }
    assert nxop.escalations.decision_timeout == minutes(2)
    assert nxop.escalations.default_rollback == "R2"

    banners = {level: nxop.degradation_level(level).banner for level in (1, 2, 3)}
    assert banners == {
        1: "Maintenance in progress, some features limited",
        2: "Extended maintenance, please wait",
        3: "System unavailable, use manual procedures",
    }
    assert nxop.degradation_level(0) is not None
    assert nxop.sla.acceptable_downtime == minutes(60)
    assert nxop.sla.target_duration == minutes(10)
    assert nxop.status_cadence == nxop.lead_report_cadence == minutes(2)


def test_nxop_business_comms_monitoring_and_data_sections(nxop: Runbook) -> None:
    business, comms, monitoring, data = nxop.business, nxop.communications, nxop.monitoring, nxop.data_checks
    assert business is not None and comms is not None and monitoring is not None and data is not None
    assert [(w.start, w.end) for w in business.peak_windows] == [("06:00", "09:00"), ("17:00", "20:00")]
    assert business.critical_flows == [2, 8, 10]
    assert len(business.impact) == 6 and len(business.manual_workarounds) == 5
    assert [d.key for d in business.external_dependencies] == ["flightkeys", "aircom", "opshub"]
    messages = {m.id: m for m in comms.messages}
    assert list(messages) == ["T-7d", "T-24h", "T-1h", "T+0", "T+10m", "T+15m", "L2", "L3", "T+completion",
                              "T+24h", "P-7d", "P-24h", "P-completion"]  # fmt: skip
    assert messages["T+15m"].every == timedelta(minutes=15) and messages["L3"].anchor == "rollback_failed"
    assert messages["L2"].anchor == "rollback" and messages["L2"].audiences == ["stakeholders"]
    assert messages["T-7d"].offset == timedelta(days=-7) and messages["T-7d"].needs_ack
    assert messages["T+10m"].only_if_not_complete
    assert comms.audiences["partners"].external
    assert [(w.name, w.every) for w in monitoring.windows] == [
        ("critical", minutes(15)),
        ("active", minutes(60)),
        ("passive", minutes(240)),
    ]
    assert len(monitoring.performance_thresholds) == 6
    assert data.consumer_lag_max == 1000
    assert data.collections == ["aircraft_configurations", "flight_plans", "crew_credentials"]


def test_example_roster_loads(nxop: Runbook) -> None:
    roster = load_roster(default_roster_path(), nxop)
    assert set(roster.roles) == set(nxop.roles)
    assert roster.members_of("incident_commander")[0].name == "Dana Reyes"
    assert [m.slack_id for m in roster.on_call_for("database_admin")] == ["U02BBBB"]
    lead = roster.members_of("engineering_lead")[0]
    assert roster.roles_of(lead.slack_id) == ["engineering", "engineering_lead"]


# --- a second runbook: the schema is not tied to NXOP -----------------------------------------


def test_small_runbook_and_roster_load() -> None:
    runbook = load_runbook(SMALL_RUNBOOK)
    assert runbook.id == "payments-db-switch"
    assert [[p.id for p in stage] for stage in runbook.stages] == [["prep"], ["switch"]]
    assert runbook.rollbacks_by_id["RB1"].rto == minutes(4.5)
    roster = load_roster(SMALL_ROSTER, runbook)
    assert roster.name_of("W10APPR") == "Jo Sands"


# --- bad files are refused with the file and the field path -----------------------------------


def _small_data() -> dict:
    return yaml.safe_load(SMALL_RUNBOOK.read_text(encoding="utf-8"))


def _unknown_role(data: dict) -> None:
    data["phases"][0]["steps"][1]["raci"]["R"] = ["dbq"]


def _duplicate_step(data: dict) -> None:
    data["phases"][1]["steps"][1]["id"] = "prep.1"


def _gate_names_missing_phase(data: dict) -> None:
    data["gates"][1]["after"] = ["nope"]


def _rollback_does_not_add_up(data: dict) -> None:
    data["rollbacks"][0]["rto"] = "5m"


def _missing_step_timeout(data: dict) -> None:
    del data["phases"][0]["steps"][1]["timeout"]


def _override_by_unknown_role(data: dict) -> None:
    data["authority"]["approve_override"] = ["management"]


def _confirmation_by_unknown_role(data: dict) -> None:
    data["go_nogo"] = {"confirmations": [{"key": "bridge", "title": "Bridge open", "by": ["ic"]}]}


def _unknown_data_step(data: dict) -> None:
    data["data_checks"] = {"step": "3.2"}


def _unknown_report_reader(data: dict) -> None:
    data["report"] = {"summary_to": ["management"]}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_override_by_unknown_role, "authority.approve_override: unknown role key 'management'"),
        (_confirmation_by_unknown_role, "go_nogo.confirmations[0].by: unknown role key 'ic'"),
        (_unknown_data_step, "data_checks.step: unknown step '3.2'"),
        (_unknown_report_reader, "report.summary_to: unknown role key 'management'"),
        (_unknown_role, "phases[0].steps[1].raci.R: unknown role key 'dbq'"),
        (_duplicate_step, "phases[1].steps[1].id: duplicate step id 'prep.1'"),
        (_gate_names_missing_phase, "gates[1].after: gate 2 names missing phase 'nope'"),
        (_rollback_does_not_add_up, "rollbacks[0]: steps add up to 4.5 minutes but the RTO is 5 minutes"),
        (_missing_step_timeout, "phases[0].steps[1].timeout: required field is missing"),
    ],
)
def test_bad_runbook_is_rejected(tmp_path: Path, mutate: Callable[[dict], None], message: str) -> None:
    data = _small_data()
    mutate(data)
    path = tmp_path / "bad-runbook.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_runbook(path)
    assert caught.value.path == str(path)
    lines = said(caught.value)
    assert any(line.startswith(f"{path}: {message}") for line in lines), lines


def test_malformed_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nphases: [\n  - a\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_runbook(path)
    assert caught.value.path == str(path)
    assert said(caught.value) == [
        f"{path}: line 3, column 3: not valid YAML (expected the node content, but found '-')"
    ]


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(PlanError) as caught:
        load_runbook(path)
    assert said(caught.value) == [f"{path}: cannot read the file: No such file or directory"]


def _small_roster_data() -> dict:
    return yaml.safe_load(SMALL_ROSTER.read_text(encoding="utf-8"))


def _roster_unknown_role(data: dict) -> None:
    data["dbx"] = data["dba"]


def _roster_duplicate_member(data: dict) -> None:
    data["dba"].append(dict(data["dba"][0], name="Ola Berg again"))


def _roster_empty_needed_role(data: dict) -> None:
    data["approver"] = []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_roster_unknown_role, "dbx: unknown role key"),
        (_roster_duplicate_member, "dba: duplicate slack_id U10DBA1"),
        (_roster_empty_needed_role, "approver: the runbook needs this role but nobody is in it"),
    ],
)
def test_bad_roster_is_rejected(tmp_path: Path, mutate: Callable[[dict], None], message: str) -> None:
    runbook = load_runbook(SMALL_RUNBOOK)
    data = _small_roster_data()
    mutate(data)
    path = tmp_path / "bad-roster.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_roster(path, runbook)
    assert caught.value.path == str(path)
    lines = said(caught.value)
    assert any(line.startswith(f"{path}: {message}") for line in lines), lines


def test_who_approves_an_override_defaults_to_management_when_declared_else_the_schedulers(nxop) -> None:
    small = load_runbook(SMALL_RUNBOOK)
    assert small.authority.approve_override is None and "management" not in small.roles
    assert small.duty_titles["approve_override"] == ["Switch Lead", "Change Approver"]  # authority.schedule
    declared = nxop.model_copy(
        update={"authority": nxop.authority.model_copy(update={"approve_override": None})}
    )
    assert declared.duty_titles["approve_override"] == ["Management"]
    assert nxop.data_step.id == "3.2" and small.data_step is None
    assert [g.number for g in nxop.final_gates] == [5]
