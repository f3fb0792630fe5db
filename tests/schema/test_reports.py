"""The reports API: built-in and custom definitions shared by role (RLS), schedules owned by
their creator (pause, delete, invisible to others), and clear errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GQL = Callable[..., dict[str, Any]]

CREATE_REPORT = """mutation($d: CustomReportInput!, $share: [AppRole!]) {
  createReport(definition: $d, sharedWith: $share) { id name kind spec sharedWith owned } }"""
SCHEDULE = """mutation($r: ID!, $cron: String!, $tz: String!, $to: [String!]) {
  createReportSchedule(reportId: $r, cron: $cron, timezone: $tz, format: PDF, recipients: $to)
  { id cron timezone paused nextRunAt } }"""


def _slugs(graphql: GQL, token: str) -> dict[str | None, dict[str, Any]]:
    body = graphql("{ reports { id slug name kind owned } }", token=token)
    assert "errors" not in body, body
    return {r["slug"] or r["name"]: r for r in body["data"]["reports"]}


def test_built_in_reports_are_listed_for_every_role(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    for role in ("agent", "team_lead", "manager", "executive", "analyst", "admin"):
        reports = _slugs(graphql, make_token(role))
        assert {"daily-summary", "weekly-team", "monthly-executive"} <= set(reports)


def test_custom_reports_are_shared_by_role_and_deleted_by_their_owner(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    owner, lead, other_manager = (
        make_token("manager"),
        make_token("team_lead"),
        make_token("manager", 1),
    )
    d = {
        "name": "SLA watch",
        "kpis": ["sla_compliance", "backlog"],
        "sections": ["KPIS", "SERIES"],
        "groupBy": "PRIORITY",
        "granularity": "DAY",
    }
    made = graphql(CREATE_REPORT, {"d": d, "share": ["TEAM_LEAD"]}, owner)
    assert "errors" not in made, made
    report = made["data"]["createReport"]
    assert report["kind"] == "custom" and report["owned"] and report["sharedWith"] == ["team_lead"]
    assert report["spec"]["kpis"] == ["sla_compliance", "backlog"]
    assert "SLA watch" in _slugs(graphql, lead) and "SLA watch" not in _slugs(
        graphql, other_manager
    )
    assert not _slugs(graphql, lead)["SLA watch"]["owned"]
    refused = graphql("mutation($id: ID!) { deleteReport(id: $id) }", {"id": report["id"]}, lead)
    assert "no such report of yours" in refused["errors"][0]["message"]
    deleted = graphql("mutation($id: ID!) { deleteReport(id: $id) }", {"id": report["id"]}, owner)
    assert deleted["data"]["deleteReport"] is True
    bad = graphql(CREATE_REPORT, {"d": {**d, "kpis": ["happiness"]}}, owner)
    assert "happiness" in bad["errors"][0]["message"]


def test_schedules_belong_to_their_owner(graphql: GQL, make_token: Callable[..., str]) -> None:
    owner, other = (
        make_token("executive"),
        make_token("executive", 1) if False else make_token("admin"),
    )
    report = _slugs(graphql, owner)["monthly-executive"]["id"]
    made = graphql(
        SCHEDULE,
        {"r": report, "cron": "0 8 1 * *", "tz": "Europe/Paris", "to": ["ceo@example.com"]},
        owner,
    )
    assert "errors" not in made, made
    s = made["data"]["createReportSchedule"]
    assert s["nextRunAt"] and not s["paused"]
    listed = graphql("{ reportSchedules { id } }", token=owner)["data"]["reportSchedules"]
    assert s["id"] in {x["id"] for x in listed}
    assert graphql("{ reportSchedules { id } }", token=other)["data"]["reportSchedules"] == []
    pause = """mutation($id: ID!, $p: Boolean!) {
      pauseReportSchedule(id: $id, paused: $p) { paused nextRunAt } }"""
    refused = graphql(pause, {"id": s["id"], "p": True}, other)
    assert "no such schedule of yours" in refused["errors"][0]["message"]
    paused = graphql(pause, {"id": s["id"], "p": True}, owner)["data"]["pauseReportSchedule"]
    assert paused == {"paused": True, "nextRunAt": None}
    deliveries = graphql(
        "query($id: ID!) { reportDeliveries(scheduleId: $id) { id } }", {"id": s["id"]}, owner
    )
    assert deliveries["data"]["reportDeliveries"] == []
    gone = graphql("mutation($id: ID!) { deleteReportSchedule(id: $id) }", {"id": s["id"]}, owner)
    assert gone["data"]["deleteReportSchedule"] is True


def test_bad_schedules_and_runs_are_user_errors(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    token = make_token("manager")
    report = _slugs(graphql, token)["daily-summary"]["id"]
    cases = [
        (
            {"r": report, "cron": "*/1 * * * *", "tz": "Europe/Paris", "to": ["a@example.com"]},
            "every 5 minutes",
        ),
        (
            {"r": report, "cron": "0 8 * * 1", "tz": "Mars/Olympus", "to": ["a@example.com"]},
            "time zone",
        ),
        (
            {"r": report, "cron": "0 8 * * 1", "tz": "Europe/Paris", "to": ["not-an-address"]},
            "invalid e-mail",
        ),
        ({"r": report, "cron": "0 8 * * 1", "tz": "Europe/Paris", "to": []}, "recipients"),
    ]
    for variables, message in cases:
        body = graphql(SCHEDULE, variables, token)
        assert message in body["errors"][0]["message"], body
    run = graphql("mutation { runReport(format: PDF) { url } }", token=token)
    assert "report id or slug" in run["errors"][0]["message"]
    weekly = graphql(
        'mutation { runReport(slug: "weekly-team", format: PDF) { url } }', token=token
    )
    assert "errors" not in weekly  # validated at download: the team is checked under RLS then


def test_run_report_refuses_bad_windows_as_other_fields(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    """runReport keeps its own default window but checks ``window`` against the separate
    arguments by the one rule (resolvers.windows): the same code and message as dashboard's."""
    token = make_token("manager")
    for arguments in (
        "window: {period: TODAY}, period: TODAY",
        'window: {period: TODAY}, timezone: "UTC"',
    ):
        run = graphql(
            f'mutation {{ runReport(slug: "daily-summary", format: PDF, {arguments}) {{ url }} }}',
            token=token,
        )
        other = graphql(f"{{ dashboard({arguments}) {{ start }} }}", token=token)
        assert run["data"] is None and other["data"] is None, (run, other)
        got, expected = run["errors"][0], other["errors"][0]
        assert got["extensions"]["code"] == expected["extensions"]["code"] == "BAD_USER_INPUT"
        assert got["message"] == expected["message"], (got, expected)
        assert "not both" in got["message"]
    zone = graphql(
        'mutation { runReport(slug: "daily-summary", format: PDF,'
        ' window: {period: TODAY, timezone: "Mars/Olympus"}) { url } }',
        token=token,
    )
    assert zone["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", zone
    assert "unknown time zone 'Mars/Olympus'" in zone["errors"][0]["message"], zone
