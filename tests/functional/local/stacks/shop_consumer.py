"""Functions imported by path from the stack files (no zip): they record what they saw."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def _send(queue: str, body: object) -> None:
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))


def handler(event, context):  # type: ignore[no-untyped-def]
    for record in event["Records"]:
        keys = record["dynamodb"]["Keys"]
        if keys["pk"]["S"].startswith("bad"):
            raise ValueError(f"cannot bill {keys['pk']['S']}")
        _send(os.environ["SEEN_QUEUE"], keys)
    return {}


def notify(event, context):  # type: ignore[no-untyped-def]
    _send(os.environ["ALERTS_QUEUE"], event)
