"""The function calls the AWS provider for Terraform makes answer in botocore's output shapes.

Each test makes one call with boto3 against the local cloud and checks the raw response body against
the operation's output shape (:func:`tests.support.shapes.checked_call`), then what the provider
reads back from it.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from quirks import aws
from quirks.errors import AwsError
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.local.cloud import LocalCloud
from tests.support.shapes import checked_call, checked_error, operation, shape_errors
from tests.support.zips import zipped

CODE = zipped("def handler(event, context):\n    return event\n")


def _create_args(name: str = "orders") -> dict[str, Any]:
    return {
        "FunctionName": name,
        "Runtime": "python3.13",
        "Role": f"arn:aws:iam::{ACCOUNT}:role/test",
        "Handler": "app.handler",
        "Code": {"ZipFile": CODE},
    }


def create(name: str = "orders", **extra: Any) -> dict[str, Any]:
    return checked_call(aws.client("lambda"), "create_function", **_create_args(name), **extra)


def error_code(exc: pytest.ExceptionInfo[AwsError]) -> tuple[str, int | None]:
    return exc.value.code, exc.value.status


def test_create_function_reports_what_the_provider_reads_back(cloud: LocalCloud) -> None:
    config = create(
        Architectures=["arm64"],
        TracingConfig={"Mode": "Active"},
        EphemeralStorage={"Size": 1024},
        LoggingConfig={"LogFormat": "Text", "LogGroup": "/custom/orders"},
        Tags={"team": "orders"},
    )
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(CODE).digest()).decode()
    assert config["CodeSize"] == len(CODE)
    assert (config["State"], config["LastUpdateStatus"], config["PackageType"]) == (
        "Active",
        "Successful",
        "Zip",
    )
    assert config["Architectures"] == ["arm64"]
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["EphemeralStorage"] == {"Size": 1024}
    assert config["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/custom/orders"}
    assert config["Layers"] == []
    assert config["RevisionId"]


def test_create_function_refuses_an_unknown_architecture(cloud: LocalCloud) -> None:
    with pytest.raises(AwsError) as exc:
        create(Architectures=["sparc"])
    assert error_code(exc) == ("InvalidParameterValueException", 400)


def test_get_function_returns_tags_concurrency_and_code(cloud: LocalCloud) -> None:
    create(Tags={"team": "orders"})
    client = aws.client("lambda")
    client.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=5)
    function = checked_call(client, "get_function", FunctionName="orders")
    assert function["Tags"] == {"team": "orders"}
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    assert function["Code"]["RepositoryType"] == "S3"
    assert function["Configuration"]["FunctionName"] == "orders"


def test_get_function_configuration_of_latest_and_of_a_version(cloud: LocalCloud) -> None:
    create(Publish=True)
    client = aws.client("lambda")
    latest = checked_call(client, "get_function_configuration", FunctionName="orders")
    assert latest["Version"] == "$LATEST"
    one = checked_call(client, "get_function_configuration", FunctionName="orders", Qualifier="1")
    assert (one["Version"], one["FunctionArn"]) == ("1", f"{latest['FunctionArn']}:1")
    with pytest.raises(AwsError) as exc:
        client.get_function_configuration(FunctionName="orders", Qualifier="7")
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_list_versions_by_function_starts_with_latest(cloud: LocalCloud) -> None:
    create()
    client = aws.client("lambda")
    versions = checked_call(client, "list_versions_by_function", FunctionName="orders")
    assert [v["Version"] for v in versions["Versions"]] == ["$LATEST"]
    client.publish_version(FunctionName="orders")
    versions = checked_call(client, "list_versions_by_function", FunctionName="orders")
    assert [v["Version"] for v in versions["Versions"]] == ["$LATEST", "1"]
    with pytest.raises(AwsError) as exc:
        client.list_versions_by_function(FunctionName="missing")
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_publish_version_snapshots_latest_and_reuses_an_unchanged_one(cloud: LocalCloud) -> None:
    create()
    client = aws.client("lambda")
    first = checked_call(client, "publish_version", FunctionName="orders", Description="v1")
    assert (first["Version"], first["Description"]) == ("1", "v1")
    assert checked_call(client, "publish_version", FunctionName="orders")["Version"] == "1"
    client.update_function_configuration(FunctionName="orders", Timeout=9)
    second = checked_call(client, "publish_version", FunctionName="orders")
    assert (second["Version"], second["Timeout"]) == ("2", 9)
    one = client.get_function_configuration(FunctionName="orders", Qualifier="1")
    assert one["Timeout"] == 3
    with pytest.raises(AwsError) as exc:
        client.publish_version(FunctionName="orders", CodeSha256="not-the-code")
    assert error_code(exc) == ("InvalidParameterValueException", 400)


def test_get_function_code_signing_config_is_empty(cloud: LocalCloud) -> None:
    create()
    reply = checked_call(
        aws.client("lambda"), "get_function_code_signing_config", FunctionName="orders"
    )
    assert (reply["FunctionName"], reply["CodeSigningConfigArn"]) == ("orders", "")


def test_update_function_code_can_change_architecture(cloud: LocalCloud) -> None:
    create()
    config = checked_call(
        aws.client("lambda"),
        "update_function_code",
        FunctionName="orders",
        ZipFile=CODE,
        Architectures=["arm64"],
    )
    assert config["Architectures"] == ["arm64"]


def test_delete_function_forgets_tags_and_versions(cloud: LocalCloud) -> None:
    create(Tags={"team": "orders"}, Publish=True)
    client = aws.client("lambda")
    client.delete_function(FunctionName="orders")
    create()
    assert client.get_function(FunctionName="orders")["Tags"] == {}
    versions = client.list_versions_by_function(FunctionName="orders")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_the_shape_check_refuses_unknown_keys_and_wrong_types() -> None:
    shape = operation("lambda", "GetFunctionConfiguration").output_shape
    assert shape is not None
    errors = shape_errors({"Bogus": 1, "Timeout": "3", "Architectures": ["sparc"]}, shape)
    assert errors == [
        "$.Bogus: not in FunctionConfiguration",
        "$.Timeout: expected integer, got str '3'",
        "$.Architectures[0]: 'sparc' is not one of ['x86_64', 'arm64']",
    ]


def test_json_logging_config_reports_the_levels_it_was_given(cloud: LocalCloud) -> None:
    create(
        LoggingConfig={
            "LogFormat": "JSON",
            "ApplicationLogLevel": "DEBUG",
            "SystemLogLevel": "WARN",
        }
    )
    config = checked_call(aws.client("lambda"), "get_function_configuration", FunctionName="orders")
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/orders",
        "ApplicationLogLevel": "DEBUG",
        "SystemLogLevel": "WARN",
    }


def test_errors_are_declared_by_the_operation_and_shaped_as_aws_writes_them(
    cloud: LocalCloud,
) -> None:
    client = aws.client("lambda")
    missing = checked_error(client, "get_function", FunctionName="nothing")
    assert missing.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.response["Error"]["Message"].startswith("Function not found: arn:aws:lambda:")
    create()
    checked_error(client, "get_policy", FunctionName="orders")  # no policy yet: 404
    checked_error(client, "create_function", **_create_args())  # exists: 409 conflict


def test_list_update_and_delete_function_in_aws_shapes(cloud: LocalCloud) -> None:
    create()
    client = aws.client("lambda")
    listed = checked_call(client, "list_functions")
    assert [f["FunctionName"] for f in listed["Functions"]] == ["orders"]
    updated = checked_call(
        client,
        "update_function_configuration",
        FunctionName="orders",
        Timeout=30,
        Environment={"Variables": {"STAGE": "local"}},
        TracingConfig={"Mode": "Active"},
    )
    assert (updated["Timeout"], updated["Environment"]["Variables"]) == (30, {"STAGE": "local"})
    assert updated["TracingConfig"] == {"Mode": "Active"}
    checked_call(client, "delete_function", FunctionName="orders")
    checked_error(client, "delete_function", FunctionName="orders")
    checked_error(client, "invoke", FunctionName="orders", Payload=b"{}")
