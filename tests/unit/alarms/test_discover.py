"""Turning Lambda API listings (captured real shapes) into stream consumers and async targets."""

from __future__ import annotations

from quirks.alarms.discover import consumer_from_mapping, target_from_function
from tests.support.events import load_event


def test_only_dynamodb_and_kinesis_mappings_are_stream_consumers() -> None:
    mappings = load_event("alarms-event-source-mappings.json")["EventSourceMappings"]
    consumers = [consumer_from_mapping(m) for m in mappings]
    dynamodb, kinesis, sqs, kafka = consumers
    assert sqs is None  # SQS sources use the queue's redrive policy, not IteratorAge
    assert kafka is None  # no EventSourceArn
    assert dynamodb is not None
    assert dynamodb.function_name == "orders-projector"  # the alias qualifier is dropped
    assert dynamodb.source == "dynamodb"
    assert dynamodb.on_failure == "arn:aws:sqs:us-east-1:123456789012:orders-failures"
    assert dynamodb.mapping_uuid == "a1b2c3d4-0000-4000-8000-000000000001"
    assert kinesis is not None
    assert (kinesis.function_name, kinesis.source, kinesis.on_failure) == (
        "clicks",
        "kinesis",
        None,
    )


def test_null_fields_as_moto_returns_them_are_tolerated() -> None:
    consumer = consumer_from_mapping(
        {
            "UUID": "u",
            "EventSourceArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s",
            "FunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
            "DestinationConfig": None,
            "State": None,
        }
    )
    assert consumer is not None
    assert consumer.on_failure is None


def test_async_targets_need_an_invoke_config_or_a_dead_letter_queue() -> None:
    mailer, api = load_event("alarms-list-functions.json")["Functions"]
    configs = load_event("alarms-event-invoke-configs.json")["FunctionEventInvokeConfigs"]

    target = target_from_function(mailer, configs)
    assert target is not None
    assert target.dead_letter == "arn:aws:sqs:us-east-1:123456789012:mailer-dlq"
    # The unqualified function's config wins over the alias's.
    assert target.on_failure == "arn:aws:sns:us-east-1:123456789012:mailer-failures"
    assert target.maximum_event_age_seconds == 3600
    assert target.on_success is None

    assert target_from_function(api, []) is None
    dlq_only = target_from_function(mailer, [])
    assert dlq_only is not None
    assert (dlq_only.dead_letter, dlq_only.on_failure) == (
        mailer["DeadLetterConfig"]["TargetArn"],
        None,
    )
    alias_only = target_from_function(api, configs[:1])
    assert alias_only is not None
    assert alias_only.maximum_event_age_seconds == 21600
