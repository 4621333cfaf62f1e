"""Every saved form of a pointer message is recognized; garbage is kept as an error in its place."""

from __future__ import annotations

import json

from quirks.recovery.sources import FileSource, parse_entry
from quirks.streams.failures import StreamBatchFailure
from tests.support.events import load_event

BODY = load_event("ddb-on-failure-sqs.json")
TEXT = json.dumps(BODY)


def test_bodies_and_whole_messages_in_boto3_and_lambda_form_parse_the_same() -> None:
    forms = [
        BODY,
        TEXT,
        {"MessageId": "a", "ReceiptHandle": "h", "Body": TEXT},
        {"messageId": "b", "receiptHandle": "h", "body": TEXT, "eventSource": "aws:sqs"},
        {
            "Type": "Notification",
            "MessageId": "n",
            "TopicArn": "arn:aws:sns:us-east-2:1:t",
            "Message": TEXT,
        },
    ]
    for form in forms:
        message = parse_entry("id", form)
        assert message.error is None, form
        assert isinstance(message.parsed, StreamBatchFailure)
        assert message.parsed.batch.batch_size == 1


def test_saved_receive_message_output_and_lambda_events_are_unwrapped() -> None:
    saved = {"Messages": [{"MessageId": "a", "ReceiptHandle": "h", "Body": TEXT}] * 2}
    event = {"Records": [{"messageId": "b", "receiptHandle": "h", "body": TEXT}] * 3}
    text = json.dumps(saved) + "\n" + json.dumps(event) + "\nnot json\n"
    messages = FileSource("f", text).receive()
    assert [m.id for m in messages] == [f"f#{i}" for i in range(6)]
    assert [m.error is None for m in messages] == [True] * 5 + [False]
    assert messages[5].error is not None
    assert messages[5].error.field == "body"
