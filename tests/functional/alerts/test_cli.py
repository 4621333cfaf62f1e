"""``quirks alerts`` against moto: attach/detach idempotency, the two-filter limit, the own group;
the account policy through a botocore Stubber (moto does not implement PutAccountPolicy)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import Stubber

from quirks import aws
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from tests.support.cli import run_parsed
from tests.support.zips import zipped

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.functional.alerts.conftest import FakeSlack

NOTIFIER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:quirks-alerts"
SINK = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:other-sink:*"


@pytest.fixture
def account(aws_env: aws.ClientFactory) -> aws.ClientFactory:
    """The notifier function, and log groups in every situation attach must handle."""
    iam = aws_env.client("iam")
    role = iam.create_role(
        RoleName="notifier",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    aws.client("lambda").create_function(
        FunctionName="quirks-alerts",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped("def handler(event, context):\n    return None\n")},
    )
    logs = aws.client("logs")
    for name in (
        "other-sink",
        "/aws/lambda/orders",
        "/aws/lambda/payments",
        "/aws/lambda/full",
        "/aws/lambda/quirks-alerts",
        "/aws/lambda/legacy-batch",
        "/ecs/web",
    ):
        logs.create_log_group(logGroupName=name)
    logs.put_subscription_filter(
        logGroupName="/aws/lambda/payments",
        filterName="datadog",
        filterPattern="",
        destinationArn=SINK,
    )
    for name in ("datadog", "splunk"):
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/full", filterName=name, filterPattern="", destinationArn=SINK
        )
    return aws_env


def _filters(group: str) -> dict[str, dict[str, str]]:
    response = aws.client("logs").describe_subscription_filters(logGroupName=group)
    return {f["filterName"]: f for f in response["subscriptionFilters"]}


def test_moto_enforces_the_two_filter_limit(account: aws.ClientFactory) -> None:
    logs = aws.client("logs")
    with pytest.raises(logs.exceptions.LimitExceededException):
        logs.put_subscription_filter(
            logGroupName="/aws/lambda/full",
            filterName="third",
            filterPattern="",
            destinationArn=SINK,
        )


def test_attach_dry_run_plans_without_changing(account: aws.ClientFactory) -> None:
    code, data, err = run_parsed(
        "alerts",
        "attach",
        "--destination",
        NOTIFIER,
        "--exclude",
        "legacy-",
        "--dry-run",
        "--json",
    )
    assert code == 0, err
    assert data["summary"] == {
        "create": ["/aws/lambda/orders", "/aws/lambda/payments"],
        "full": ["/aws/lambda/full"],
        "own": ["/aws/lambda/quirks-alerts"],
        "excluded": ["/aws/lambda/legacy-batch"],
    }
    assert "quirks-errors" not in _filters("/aws/lambda/orders")
    assert "/aws/lambda/full is full (datadog, splunk)" in err


def test_attach_is_idempotent_respects_the_limit_and_skips_its_own_group(
    account: aws.ClientFactory,
) -> None:
    code, data, err = run_parsed("alerts", "attach", "--destination", NOTIFIER, "--json")
    assert code == 0, err
    assert data["granted_invoke"] is True
    assert data["summary"]["create"] == [
        "/aws/lambda/legacy-batch",
        "/aws/lambda/orders",
        "/aws/lambda/payments",
    ]
    for group in ("/aws/lambda/orders", "/aws/lambda/payments"):
        ours = _filters(group)["quirks-errors"]
        assert ours["destinationArn"] == NOTIFIER
        assert ours["filterPattern"] == data["filter_pattern"]
    assert set(_filters("/aws/lambda/payments")) == {"datadog", "quirks-errors"}
    assert set(_filters("/aws/lambda/full")) == {"datadog", "splunk"}  # never replaced
    assert _filters("/aws/lambda/quirks-alerts") == {}  # no loop
    assert _filters("/ecs/web") == {}  # outside the prefix
    policy = json.loads(aws.client("lambda").get_policy(FunctionName="quirks-alerts")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "logs.amazonaws.com"}

    code, again, err = run_parsed("alerts", "attach", "--destination", NOTIFIER, "--json")
    assert code == 0, err
    assert set(again["summary"]) == {"unchanged", "full", "own"}
    assert again["granted_invoke"] is False

    code, changed, _ = run_parsed(
        "alerts",
        "attach",
        "--destination",
        NOTIFIER,
        "--filter-pattern",
        "ERROR",
        "--prefix",
        "/aws/lambda/orders",
        "--json",
    )
    assert changed["summary"] == {"update": ["/aws/lambda/orders"]}
    assert _filters("/aws/lambda/orders")["quirks-errors"]["filterPattern"] == "ERROR"


def test_detach_removes_only_what_attach_made(account: aws.ClientFactory) -> None:
    run_parsed("alerts", "attach", "--destination", NOTIFIER, "--json")
    code, plan, _ = run_parsed("alerts", "detach", "--dry-run", "--json")
    assert code == 0
    assert plan["summary"]["delete"] == [
        "/aws/lambda/legacy-batch",
        "/aws/lambda/orders",
        "/aws/lambda/payments",
    ]
    assert "quirks-errors" in _filters("/aws/lambda/orders")
    code, data, _ = run_parsed("alerts", "detach", "--json")
    assert code == 0
    assert _filters("/aws/lambda/orders") == {}
    assert set(_filters("/aws/lambda/payments")) == {"datadog"}
    assert set(_filters("/aws/lambda/full")) == {"datadog", "splunk"}
    code, data, _ = run_parsed("alerts", "detach", "--json")
    assert set(data["summary"]) == {"unchanged"}


def test_bad_inputs_are_one_line_user_errors(account: aws.ClientFactory) -> None:
    code, _, err = run_parsed("alerts", "attach", "--destination", "not-an-arn")
    assert (code, err.count("\n")) == (2, 1)
    code, _, err = run_parsed(
        "alerts", "attach", "--destination", NOTIFIER, "--filter-pattern", "{ $.a = "
    )
    assert code == 2
    assert "filter pattern" in err
    code, _, err = run_parsed("alerts", "attach", "--destination", NOTIFIER, "--exclude", "(")
    assert code == 2
    assert "--exclude" in err


class _StubbedLogs:
    """A client factory on moto whose logs client is botocore-Stubbed (moto lacks the API)."""

    def __init__(self, setup: Callable[[Stubber], None]) -> None:
        self.clients = aws.ClientFactory(aws.current().settings)
        self.stubber = Stubber(self.clients.client("logs"))
        setup(self.stubber)
        self.stubber.activate()


def test_attach_account_policy_excludes_the_notifier_and_is_idempotent(
    account: aws.ClientFactory,
) -> None:
    document = {"DestinationArn": NOTIFIER, "FilterPattern": "ERROR", "Distribution": "Random"}
    criteria = 'LogGroupName NOT IN ["/aws/lambda/quirks-alerts"]'

    def first(stubber: Stubber) -> None:
        stubber.add_response(
            "describe_account_policies",
            {"accountPolicies": []},
            {"policyType": "SUBSCRIPTION_FILTER_POLICY", "policyName": "quirks-errors"},
        )
        stubber.add_response(
            "put_account_policy",
            {},
            {
                "policyName": "quirks-errors",
                "policyDocument": json.dumps(document),
                "policyType": "SUBSCRIPTION_FILTER_POLICY",
                "scope": "ALL",
                "selectionCriteria": criteria,
            },
        )

    stubbed = _StubbedLogs(first)
    code, data, err = run_parsed(
        "alerts",
        "attach",
        "--destination",
        NOTIFIER,
        "--filter-pattern",
        "ERROR",
        "--account-policy",
        "--no-grant",
        "--json",
        clients=stubbed.clients,
    )
    assert code == 0, err
    assert (data["action"], data["selection_criteria"]) == ("create", criteria)
    stubbed.stubber.assert_no_pending_responses()

    existing = {
        "policyName": "quirks-errors",
        "policyDocument": json.dumps(document),
        "policyType": "SUBSCRIPTION_FILTER_POLICY",
        "scope": "ALL",
        "selectionCriteria": criteria,
        "accountId": ACCOUNT,
    }
    stubbed = _StubbedLogs(
        lambda stubber: stubber.add_response(
            "describe_account_policies",
            {"accountPolicies": [existing]},
            {"policyType": "SUBSCRIPTION_FILTER_POLICY", "policyName": "quirks-errors"},
        )
    )
    code, data, err = run_parsed(
        "alerts",
        "attach",
        "--destination",
        NOTIFIER,
        "--filter-pattern",
        "ERROR",
        "--account-policy",
        "--no-grant",
        "--json",
        clients=stubbed.clients,
    )
    assert code == 0, err
    assert data["action"] == "unchanged"  # no put_account_policy call: the stubber would reject it
    stubbed.stubber.assert_no_pending_responses()


def test_detach_account_policy(aws_env: aws.ClientFactory) -> None:
    existing = {
        "policyName": "quirks-errors",
        "policyDocument": "{}",
        "policyType": "SUBSCRIPTION_FILTER_POLICY",
        "scope": "ALL",
        "accountId": ACCOUNT,
    }

    def setup(stubber: Stubber) -> None:
        stubber.add_response(
            "describe_account_policies",
            {"accountPolicies": [existing]},
            {"policyType": "SUBSCRIPTION_FILTER_POLICY", "policyName": "quirks-errors"},
        )
        stubber.add_response(
            "delete_account_policy",
            {},
            {"policyName": "quirks-errors", "policyType": "SUBSCRIPTION_FILTER_POLICY"},
        )

    stubbed = _StubbedLogs(setup)
    code, data, err = run_parsed(
        "alerts", "detach", "--account-policy", "--json", clients=stubbed.clients
    )
    assert code == 0, err
    assert (data["existed"], data["removed"]) == (True, True)
    stubbed.stubber.assert_no_pending_responses()


def test_test_pattern_reads_lines_or_filter_log_events_output(tmp_path: Any) -> None:
    lines = tmp_path / "events.log"
    lines.write_text(
        'START RequestId: 1 Version: $LATEST\n[ERROR] ValueError: x\n{"level": "ERROR"}\n',
        encoding="utf-8",
    )
    code, data, _ = run_parsed("alerts", "test-pattern", "", "--log", str(lines), "--json")
    assert code == 0
    assert (data["events"], data["matched"]) == (3, 2)
    dumped = tmp_path / "events.json"
    dumped.write_text(
        json.dumps(
            {"events": [{"message": '{"level": "ERROR"}'}, {"message": '{"level": "INFO"}'}]}
        ),
        encoding="utf-8",
    )
    code, data, _ = run_parsed(
        "alerts", "test-pattern", '{ $.level = "ERROR" }', "--log", str(dumped), "--json"
    )
    assert [m["index"] for m in data["matches"]] == [0]
    code, _, err = run_parsed("alerts", "test-pattern", "[a, b]", "--log", str(lines))
    assert code == 2
    assert "space-delimited" in err


def test_send_test_uses_the_configured_route(
    fake_slack: FakeSlack,
    aws_env: aws.ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUIRKS_SLACK_WEBHOOK_URL", fake_slack.url)
    monkeypatch.setenv("QUIRKS_SLACK_MIN_INTERVAL", "0")
    code, data, err = run_parsed("alerts", "send-test", "--json")
    assert code == 0, err
    assert data["results"] == [{"sink": "slack", "delivered": True, "error": None}]
    assert "QuirksTestAlert" in fake_slack.texts[0]
    fake_slack.answer_next(500, "no")
    code, data, _ = run_parsed("alerts", "send-test", "--json")
    assert code == 1
    assert data["results"][0]["delivered"] is False
    assert "SECRET" not in json.dumps(data)


def test_send_test_without_a_route_is_a_user_error() -> None:
    code, _, err = run_parsed("alerts", "send-test")
    assert code == 2
    assert "no alert destination" in err


def test_attach_without_json_prints_a_table(account: aws.ClientFactory) -> None:
    code, out, err = run_parsed("alerts", "attach", "--destination", NOTIFIER, "--dry-run")
    assert code == 0, err
    assert "/aws/lambda/orders" in out
    assert "create" in out
    assert "full" in out
    assert "would change 3" in out


def test_attach_takes_the_notifier_by_name_and_refuses_a_missing_function(
    account: aws.ClientFactory,
) -> None:
    code, data, err = run_parsed(
        "alerts", "attach", "--destination", "quirks-alerts", "--dry-run", "--json"
    )
    assert code == 0, err
    assert data["destination"] == NOTIFIER
    missing = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:nope"
    for value in ("nope", missing):
        code, out, err = run_parsed("alerts", "attach", "--destination", value, "--dry-run")
        assert (code, out) == (2, ""), err
        assert "no Lambda function" in err
        assert "(fix: deploy the notifier first, or check the name and --region)" in err
