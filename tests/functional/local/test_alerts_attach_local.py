"""``quirks alerts attach`` against the local cloud, as docs/alerts.md shows it: with the default
``--grant``, so the Lambda permission for CloudWatch Logs is added through the local Lambda API, and
an error logged afterwards reaches the notifier."""

from __future__ import annotations

import json

from quirks import aws
from quirks.alerts.decode import decode_event
from quirks.local.cloud import LocalCloud
from quirks.testing import drain_queue
from tests.functional.local.test_filters_and_subscriptions import _receiver
from tests.functional.local.test_lambda_emulator import ACCOUNT, queue
from tests.support.cli import run_json


def test_attach_grants_and_subscribes_and_errors_reach_the_notifier(cloud: LocalCloud) -> None:
    seen_url, _ = queue("seen")
    notifier = _receiver("notifier", "handler", SEEN=seen_url)
    _receiver("orders", "fail")
    logs = aws.client("logs")
    for group in ("/aws/lambda/orders", "/aws/lambda/notifier"):
        logs.create_log_group(logGroupName=group)

    report = run_json("alerts", "attach", "--destination", notifier)
    assert report["granted_invoke"] is True
    actions = {row["log_group"]: row["action"] for row in report["groups"]}
    assert actions["/aws/lambda/orders"] == "create", report
    assert actions.get("/aws/lambda/notifier") != "create"  # never its own log group

    # The grant: a resource policy statement letting CloudWatch Logs invoke the notifier.
    policy = json.loads(aws.client("lambda").get_policy(FunctionName="notifier")["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "logs.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == notifier
    assert statement["Condition"]["StringEquals"]["AWS:SourceAccount"] == ACCOUNT

    (subscription,) = logs.describe_subscription_filters(logGroupName="/aws/lambda/orders")[
        "subscriptionFilters"
    ]
    assert (subscription["filterName"], subscription["destinationArn"]) == (
        "quirks-errors",
        notifier,
    )

    # Idempotent: a second run changes nothing, and the grant is not duplicated.
    again = run_json("alerts", "attach", "--destination", notifier)
    assert {row["log_group"]: row["action"] for row in again["groups"]}[
        "/aws/lambda/orders"
    ] == "unchanged"
    policy = json.loads(aws.client("lambda").get_policy(FunctionName="notifier")["Policy"])
    assert len(policy["Statement"]) == 1

    aws.client("lambda").invoke(FunctionName="orders", Payload=b"{}")
    (message,) = drain_queue(seen_url, 1, timeout=30.0)
    delivered = decode_event(json.loads(message["Body"]))
    assert delivered.log_group == "/aws/lambda/orders"
    assert delivered.subscription_filters == ("quirks-errors",)
    assert any("payment declined for order 42" in e.message for e in delivered.events)
