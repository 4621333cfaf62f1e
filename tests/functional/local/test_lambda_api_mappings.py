"""Event source mapping and event invoke config calls, in botocore's output shapes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from quirks import aws
from quirks.local.cloud import LocalCloud
from tests.functional.local.test_lambda_api_functions import ACCOUNT, create, error_code
from tests.functional.local.test_lambda_emulator import queue
from tests.support.dynamo import create_stream_table
from tests.support.shapes import checked_call


def test_create_event_source_mapping_on_a_stream_reports_every_setting(cloud: LocalCloud) -> None:
    table = create_stream_table("orders")
    _, failures = queue("failures")
    function_arn = create()["FunctionArn"]
    mapping = checked_call(
        aws.client("lambda"),
        "create_event_source_mapping",
        FunctionName="orders",
        EventSourceArn=table.stream_arn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        MaximumRetryAttempts=3,
        MaximumRecordAgeInSeconds=3600,
        BisectBatchOnFunctionError=True,
        ParallelizationFactor=2,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": failures}},
        FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]},
    )
    assert mapping["State"] == "Enabled"
    assert mapping["StateTransitionReason"] == "USER_INITIATED"
    assert mapping["FunctionArn"] == function_arn
    assert mapping["EventSourceArn"] == table.stream_arn
    assert mapping["EventSourceMappingArn"] == (
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{mapping['UUID']}"
    )
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (10, 1)
    assert (mapping["MaximumRetryAttempts"], mapping["MaximumRecordAgeInSeconds"]) == (3, 3600)
    assert (mapping["ParallelizationFactor"], mapping["TumblingWindowInSeconds"]) == (2, 0)
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": failures}}
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}


def test_get_and_list_event_source_mappings_of_a_queue(cloud: LocalCloud) -> None:
    _, source = queue("work")
    create()
    client = aws.client("lambda")
    created = checked_call(
        client,
        "create_event_source_mapping",
        FunctionName="orders",
        EventSourceArn=source,
        ScalingConfig={"MaximumConcurrency": 5},
    )
    got = checked_call(client, "get_event_source_mapping", UUID=created["UUID"])
    assert got["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert got["BatchSize"] == 10
    listed = checked_call(client, "list_event_source_mappings", FunctionName="orders")
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [created["UUID"]]
    with pytest.raises(ClientError) as exc:
        # A standard queue batches at most 10 messages without a batching window.
        client.create_event_source_mapping(
            FunctionName="orders", EventSourceArn=source, BatchSize=11
        )
    assert error_code(exc) == ("InvalidParameterValueException", 400)


def test_update_and_delete_event_source_mapping(cloud: LocalCloud) -> None:
    _, source = queue("work")
    create()
    client = aws.client("lambda")
    uuid = client.create_event_source_mapping(FunctionName="orders", EventSourceArn=source)["UUID"]
    updated = checked_call(
        client, "update_event_source_mapping", UUID=uuid, BatchSize=5, Enabled=False
    )
    assert (updated["BatchSize"], updated["State"]) == (5, "Disabled")
    deleted = checked_call(client, "delete_event_source_mapping", UUID=uuid)
    assert deleted["State"] == "Deleting"
    with pytest.raises(ClientError) as exc:
        client.get_event_source_mapping(UUID=uuid)
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_tags_of_an_event_source_mapping(cloud: LocalCloud) -> None:
    _, source = queue("work")
    create()
    client = aws.client("lambda")
    created = client.create_event_source_mapping(
        FunctionName="orders", EventSourceArn=source, Tags={"team": "orders"}
    )
    arn = created["EventSourceMappingArn"]
    assert checked_call(client, "list_tags", Resource=arn)["Tags"] == {"team": "orders"}
    client.tag_resource(Resource=arn, Tags={"stage": "local"})
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "orders", "stage": "local"}
    client.delete_event_source_mapping(UUID=created["UUID"])
    with pytest.raises(ClientError) as exc:
        client.list_tags(Resource=arn)
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_function_event_invoke_config_put_get_and_list(cloud: LocalCloud) -> None:
    _, failures = queue("failures")
    create()
    client = aws.client("lambda")
    put = checked_call(
        client,
        "put_function_event_invoke_config",
        FunctionName="orders",
        MaximumRetryAttempts=1,
        MaximumEventAgeInSeconds=600,
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    assert put["DestinationConfig"] == {"OnFailure": {"Destination": failures}}
    got = checked_call(client, "get_function_event_invoke_config", FunctionName="orders")
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (1, 600)
    listed = checked_call(client, "list_function_event_invoke_configs", FunctionName="orders")
    assert len(listed["FunctionEventInvokeConfigs"]) == 1
    updated = checked_call(
        client, "update_function_event_invoke_config", FunctionName="orders", MaximumRetryAttempts=0
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 600)
    checked_call(client, "delete_function_event_invoke_config", FunctionName="orders")
    with pytest.raises(ClientError) as exc:
        client.get_function_event_invoke_config(FunctionName="orders")
    assert error_code(exc) == ("ResourceNotFoundException", 404)
