"""A consumer imported by path from the stack file (no zip): records what it processed."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):  # type: ignore[no-untyped-def]
    url = sqs.get_queue_url(QueueName=os.environ["SEEN_QUEUE"])["QueueUrl"]
    for record in event["Records"]:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record["dynamodb"]["Keys"]))
    return {}
