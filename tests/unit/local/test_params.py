"""Lambda API parameters into the local Lambda's models: one table, Lambda's 400s, AWS's shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from quirks.local.errors import LambdaApiError
from quirks.local.models import EventInvokeConfig, FunctionConfig
from quirks.local.params import apply_configuration, build_invoke_config, build_mapping
from tests.support.shapes import operation, shape_errors

STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def config() -> FunctionConfig:
    return FunctionConfig(name="orders", arn=FUNCTION, handler="app.handler", role="r")


def test_a_stream_mapping_keeps_every_member_in_the_shape_lambda_returns() -> None:
    mapping = build_mapping(
        {
            "EventSourceArn": STREAM,
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 500,
            "MaximumBatchingWindowInSeconds": 5,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 3600,
            "ParallelizationFactor": 2,
            "TumblingWindowInSeconds": 30,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "FilterCriteria": {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]},
            "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
        },
        FUNCTION,
    )
    api = mapping.to_api()
    assert shape_errors(api, operation("lambda", "GetEventSourceMapping").output_shape) == []
    assert (mapping.source, mapping.batch_size, mapping.batching_window) == ("dynamodb", 500, 5)
    assert (mapping.maximum_retry_attempts, mapping.maximum_record_age) == (3, 3600)
    assert (mapping.parallelization_factor, mapping.tumbling_window) == (2, 30)
    assert mapping.bisect_on_error
    assert mapping.report_item_failures
    assert mapping.on_failure == QUEUE
    assert api["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}


def test_an_update_changes_only_what_it_names() -> None:
    created = build_mapping(
        {"EventSourceArn": STREAM, "StartingPosition": "LATEST", "MaximumRetryAttempts": 4},
        FUNCTION,
    )
    updated = build_mapping({"BatchSize": 7, "MaximumRetryAttempts": None}, FUNCTION, created)
    assert (updated.uuid, updated.batch_size, updated.maximum_retry_attempts) == (
        created.uuid,
        7,
        4,
    )
    assert updated.starting_position == "LATEST"


def test_a_queue_mapping_takes_scaling_and_refuses_destinations() -> None:
    mapping = build_mapping(
        {"EventSourceArn": QUEUE, "ScalingConfig": {"MaximumConcurrency": 5}}, FUNCTION
    )
    assert (mapping.source, mapping.batch_size, mapping.maximum_concurrency) == ("sqs", 10, 5)
    assert (
        shape_errors(mapping.to_api(), operation("lambda", "GetEventSourceMapping").output_shape)
        == []
    )
    with pytest.raises(LambdaApiError, match="redrive policy"):
        build_mapping(
            {"EventSourceArn": QUEUE, "DestinationConfig": {"OnFailure": {"Destination": QUEUE}}},
            FUNCTION,
        )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "EventSourceArn"),
        ({"EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}, "Unsupported"),
        ({"EventSourceArn": STREAM}, "StartingPosition"),
        ({"EventSourceArn": STREAM, "StartingPosition": "AT_TIMESTAMP"}, "StartingPosition"),
        ({"EventSourceArn": QUEUE, "BatchSize": 11}, "BatchSize"),
        ({"EventSourceArn": QUEUE, "BatchSize": "10"}, "BatchSize"),
        ({"EventSourceArn": QUEUE, "MaximumBatchingWindowInSeconds": 301}, "MaximumBatching"),
        ({"EventSourceArn": QUEUE, "ScalingConfig": {"MaximumConcurrency": 1}}, "ScalingConfig."),
        ({"EventSourceArn": QUEUE, "FilterCriteria": {"Filters": [{"Pattern": "{"}]}}, "filter"),
        (
            {"EventSourceArn": QUEUE, "FilterCriteria": {"Filters": [{"Pattern": "{}"}] * 6}},
            "At most 5",
        ),
        (
            {
                "EventSourceArn": STREAM,
                "StartingPosition": "LATEST",
                "MaximumRecordAgeInSeconds": 59,
            },
            "MaximumRecordAgeInSeconds",
        ),
        (
            {"EventSourceArn": STREAM, "StartingPosition": "LATEST", "ParallelizationFactor": 11},
            "ParallelizationFactor",
        ),
        (
            {
                "EventSourceArn": STREAM,
                "StartingPosition": "LATEST",
                "DestinationConfig": {"OnFailure": {"Destination": f"{QUEUE}.fifo"}},
            },
            "FIFO",
        ),
    ],
)
def test_a_bad_mapping_member_is_lambdas_400_naming_it(params: dict[str, Any], named: str) -> None:
    with pytest.raises(LambdaApiError) as raised:
        build_mapping(params, FUNCTION)
    assert (raised.value.status, raised.value.error_type) == (400, "InvalidParameterValueException")
    assert named in raised.value.message


def test_a_configuration_update_is_a_new_revision_in_lambdas_shape() -> None:
    before = config()
    after = apply_configuration(
        before,
        {
            "Timeout": 30,
            "MemorySize": 512,
            "Environment": {"Variables": {"STAGE": "dev"}},
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "EphemeralStorage": {"Size": 1024},
            "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"],
            "LoggingConfig": {"LogFormat": "JSON", "LogGroup": "/custom/orders"},
            "DeadLetterConfig": {"TargetArn": QUEUE},
        },
    )
    api = after.to_api()
    assert shape_errors(api, operation("lambda", "GetFunctionConfiguration").output_shape) == []
    assert (after.timeout, after.memory_size, after.architecture) == (30, 512, "arm64")
    assert (after.tracing_mode, after.ephemeral_storage, after.log_group_name) == (
        "Active",
        1024,
        "/custom/orders",
    )
    assert after.environment == {"STAGE": "dev"}
    assert after.revision_id != before.revision_id
    # Lambda's LastModified: milliseconds and a +0000 offset.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", api["LastModified"])
    assert apply_configuration(before, {}).timeout == before.timeout


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"Timeout": 0}, "Timeout"),
        ({"Timeout": 901}, "Timeout"),
        ({"MemorySize": 64}, "MemorySize"),
        ({"Architectures": ["sparc"]}, "Architectures"),
        ({"Architectures": ["x86_64", "arm64"]}, "Architectures"),
        ({"TracingConfig": {"Mode": "Sometimes"}}, "TracingConfig.Mode"),
        ({"EphemeralStorage": {"Size": 100}}, "EphemeralStorage.Size"),
        ({"LoggingConfig": {"LogFormat": "XML"}}, "LoggingConfig.LogFormat"),
        ({"LoggingConfig": {"SystemLogLevel": "TRACE"}}, "LoggingConfig.SystemLogLevel"),
        ({"Environment": {"Variables": ["A=1"]}}, "Environment.Variables"),
        ({"Handler": 7}, "Handler"),
    ],
)
def test_a_bad_configuration_member_is_lambdas_400_naming_it(
    params: dict[str, Any], named: str
) -> None:
    with pytest.raises(LambdaApiError) as raised:
        apply_configuration(config(), params)
    assert (raised.value.status, raised.value.error_type) == (400, "InvalidParameterValueException")
    assert named in raised.value.message


def test_put_resets_what_it_leaves_out_and_update_merges() -> None:
    queue_arn, bus = QUEUE, "arn:aws:events:us-east-1:123456789012:event-bus/default"
    current = build_invoke_config(
        {
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {
                "OnSuccess": {"Destination": bus},
                "OnFailure": {"Destination": queue_arn},
            },
        },
        EventInvokeConfig(),
        merge=False,
        now=1.0,
    )
    assert (current.maximum_retry_attempts, current.on_success, current.on_failure) == (
        1,
        bus,
        queue_arn,
    )
    merged = build_invoke_config({"MaximumEventAgeInSeconds": 60}, current, merge=True, now=2.0)
    assert (merged.maximum_retry_attempts, merged.maximum_event_age_seconds) == (1, 60)
    assert (merged.on_success, merged.on_failure, merged.last_modified) == (bus, queue_arn, 2.0)
    replaced = build_invoke_config({"MaximumEventAgeInSeconds": 60}, current, merge=False, now=3.0)
    assert (replaced.maximum_retry_attempts, replaced.on_success, replaced.on_failure) == (
        2,
        None,
        None,
    )
    api = merged.to_api(FUNCTION)
    assert shape_errors(api, operation("lambda", "GetFunctionEventInvokeConfig").output_shape) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"MaximumRetryAttempts": 3}, "MaximumRetryAttempts"),
        ({"MaximumEventAgeInSeconds": 59}, "MaximumEventAgeInSeconds"),
        ({"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:s3:::b"}}}, "OnSuccess"),
        ({"DestinationConfig": {"OnFailure": "arn:aws:sqs:us-east-1:1:q"}}, "OnFailure"),
    ],
)
def test_a_bad_invoke_config_is_lambdas_400_naming_it(params: dict[str, Any], named: str) -> None:
    with pytest.raises(LambdaApiError) as raised:
        build_invoke_config(params, EventInvokeConfig(), merge=False, now=0.0)
    assert (raised.value.status, raised.value.error_type) == (400, "InvalidParameterValueException")
    assert named in raised.value.message
