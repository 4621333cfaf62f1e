"""SNS ``lambda`` subscriptions deliver to the local cloud's functions, in the event Lambda gets."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.parser.models import SnsModel

from quirks import aws
from quirks.local.cloud import LocalCloud
from quirks.testing import drain_queue
from tests.functional.local.test_filters_and_subscriptions import _receiver
from tests.functional.local.test_lambda_emulator import queue


def test_a_published_message_reaches_a_subscribed_function(cloud: LocalCloud) -> None:
    seen_url, _ = queue("seen")
    function = _receiver("notifications", "handler", SEEN=seen_url)
    sns = aws.client("sns")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    sns.publish(
        TopicArn=topic,
        Message='{"order": 7}',
        Subject="order shipped",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "shipped"}},
    )
    (message,) = drain_queue(seen_url, 1)
    event: dict[str, Any] = json.loads(message["Body"])
    SnsModel.model_validate(event)  # Powertools' model of the event Lambda receives from SNS
    (record,) = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventSubscriptionArn"] == subscription["SubscriptionArn"]
    assert record["Sns"]["TopicArn"] == topic
    assert record["Sns"]["Message"] == '{"order": 7}'
    assert record["Sns"]["Subject"] == "order shipped"
    assert record["Sns"]["MessageAttributes"] == {"kind": {"Type": "String", "Value": "shipped"}}


def test_a_filter_policy_keeps_other_messages_away(cloud: LocalCloud) -> None:
    seen_url, _ = queue("seen")
    function = _receiver("notifications", "handler", SEEN=seen_url)
    sns = aws.client("sns")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=function,
        Attributes={"FilterPolicy": json.dumps({"kind": ["shipped"]})},
    )
    for kind in ("created", "shipped"):
        sns.publish(
            TopicArn=topic,
            Message=kind,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )
    # Wait for a second delivery that must not come (bounded): only "shipped" passes the policy.
    messages = drain_queue(seen_url, 2, timeout=3.0)
    assert [json.loads(m["Body"])["Records"][0]["Sns"]["Message"] for m in messages] == ["shipped"]
