"""SQS on the local cloud answers the calls Terraform's aws_sqs_queue* resources make as AWS does."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from quirks import aws
from quirks.local.cloud import LocalCloud

ALLOW = json.dumps(
    {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:orders-pointers"],
    },
    separators=(",", ":"),
)


def _shape_members(operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("sqs")
    return set(model.operation_model(operation).output_shape.members)


def _queue(sqs: Any, name: str, **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url


def test_redrive_allow_policy_reads_back_as_set(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    url = _queue(sqs, "orders-pointers-dlq", SqsManagedSseEnabled="true")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ALLOW})

    every = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    by_name = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])
    assert every["Attributes"]["RedriveAllowPolicy"] == ALLOW
    assert by_name["Attributes"] == {"RedriveAllowPolicy": ALLOW}
    assert set(every) - {"ResponseMetadata"} <= _shape_members("GetQueueAttributes")


def test_removing_the_redrive_allow_policy_removes_the_attribute(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    url = _queue(sqs, "dlq", RedriveAllowPolicy=ALLOW)
    assert (
        "RedriveAllowPolicy"
        in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    )

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ""})

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert "RedriveAllowPolicy" not in attributes
    by_name = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])
    assert by_name.get("Attributes", {}) == {}


def test_setting_another_attribute_keeps_the_queue_policy(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    url = _queue(sqs, "failures")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                }
            ],
        }
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ALLOW})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["Policy"]) == json.loads(policy)
    assert attributes["VisibilityTimeout"] == "60"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})  # how Terraform deletes it
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert "Policy" not in attributes


def test_redrive_policy_reads_back_as_compact_json(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    dlq = _queue(sqs, "search-dlq")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
    )
    url = _queue(sqs, "search", RedrivePolicy=redrive)

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
    assert attributes["Attributes"]["RedrivePolicy"] == redrive


def test_an_unknown_queue_is_still_an_error(cloud: LocalCloud) -> None:
    sqs = aws.client("sqs")
    missing = f"{cloud.url}/123456789012/missing"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=missing, AttributeNames=["RedriveAllowPolicy"])
