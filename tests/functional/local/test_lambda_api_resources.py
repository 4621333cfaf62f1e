"""Policy, tags, concurrency and aliases of a local function, in botocore's output shapes."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from quirks import aws
from quirks.local.cloud import LocalCloud
from tests.functional.local.test_lambda_api_functions import ACCOUNT, create, error_code
from tests.support.shapes import checked_call

LOG_GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/lam/source:*"


def allow_logs(sid: str = "AllowLogs", **extra: str) -> dict[str, str]:
    return checked_call(
        aws.client("lambda"),
        "add_permission",
        FunctionName="orders",
        StatementId=sid,
        Action="lambda:InvokeFunction",
        Principal="logs.amazonaws.com",
        SourceArn=LOG_GROUP_ARN,
        SourceAccount=ACCOUNT,
        **extra,
    )


def test_add_permission_returns_the_statement_as_aws_writes_it(cloud: LocalCloud) -> None:
    arn = create()["FunctionArn"]
    statement = json.loads(allow_logs()["Statement"])
    assert statement == {
        "Sid": "AllowLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
            "ArnLike": {"AWS:SourceArn": LOG_GROUP_ARN},
        },
    }
    with pytest.raises(ClientError) as exc:
        allow_logs()
    assert error_code(exc) == ("ResourceConflictException", 409)


def test_add_permission_renders_an_account_principal_and_refuses_other_actions(
    cloud: LocalCloud,
) -> None:
    create()
    client = aws.client("lambda")
    reply = client.add_permission(
        FunctionName="orders",
        StatementId="Account",
        Action="lambda:InvokeFunction",
        Principal=ACCOUNT,
    )
    assert json.loads(reply["Statement"])["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    with pytest.raises(ClientError) as exc:
        client.add_permission(
            FunctionName="orders", StatementId="S3", Action="s3:GetObject", Principal="*"
        )
    assert error_code(exc) == ("InvalidParameterValueException", 400)


def test_get_policy_returns_a_document_and_404_without_one(cloud: LocalCloud) -> None:
    create()
    client = aws.client("lambda")
    with pytest.raises(ClientError) as exc:
        client.get_policy(FunctionName="orders")
    assert error_code(exc) == ("ResourceNotFoundException", 404)
    allow_logs()
    allow_logs("Second")
    reply = checked_call(client, "get_policy", FunctionName="orders")
    document = json.loads(reply["Policy"])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == ["AllowLogs", "Second"]
    assert reply["RevisionId"]


def test_remove_permission_drops_the_statement(cloud: LocalCloud) -> None:
    create()
    allow_logs()
    client = aws.client("lambda")
    checked_call(client, "remove_permission", FunctionName="orders", StatementId="AllowLogs")
    with pytest.raises(ClientError) as exc:
        client.get_policy(FunctionName="orders")
    assert error_code(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        client.remove_permission(FunctionName="orders", StatementId="AllowLogs")
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_get_alias_is_404_when_absent_and_returns_a_created_one(cloud: LocalCloud) -> None:
    create(Publish=True)
    client = aws.client("lambda")
    with pytest.raises(ClientError) as exc:
        client.get_alias(FunctionName="orders", Name="live")
    assert error_code(exc) == ("ResourceNotFoundException", 404)
    created = checked_call(
        client, "create_alias", FunctionName="orders", Name="live", FunctionVersion="1"
    )
    got = checked_call(client, "get_alias", FunctionName="orders", Name="live")
    assert (got["AliasArn"], got["FunctionVersion"]) == (created["AliasArn"], "1")
    assert created["AliasArn"].endswith(":function:orders:live")
    aliases = checked_call(client, "list_aliases", FunctionName="orders")["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in aliases] == [("live", "1")]
    assert (
        client.get_function_configuration(FunctionName="orders", Qualifier="live")["Version"] == "1"
    )
    checked_call(client, "delete_alias", FunctionName="orders", Name="live")
    with pytest.raises(ClientError) as exc:
        client.create_alias(FunctionName="orders", Name="next", FunctionVersion="9")
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_tag_resource_list_tags_and_untag_resource(cloud: LocalCloud) -> None:
    arn = create(Tags={"team": "orders"})["FunctionArn"]
    client = aws.client("lambda")
    checked_call(client, "tag_resource", Resource=arn, Tags={"stage": "local"})
    tags = checked_call(client, "list_tags", Resource=arn)["Tags"]
    assert tags == {"team": "orders", "stage": "local"}
    checked_call(client, "untag_resource", Resource=arn, TagKeys=["team"])
    assert client.list_tags(Resource=arn)["Tags"] == {"stage": "local"}
    missing = arn.replace("orders", "missing")
    with pytest.raises(ClientError) as exc:
        client.tag_resource(Resource=missing, Tags={"a": "b"})
    assert error_code(exc) == ("ResourceNotFoundException", 404)


def test_function_concurrency_put_get_and_delete(cloud: LocalCloud) -> None:
    create()
    client = aws.client("lambda")
    assert checked_call(client, "get_function_concurrency", FunctionName="orders").keys() == {
        "ResponseMetadata"
    }
    put = checked_call(
        client, "put_function_concurrency", FunctionName="orders", ReservedConcurrentExecutions=3
    )
    assert put["ReservedConcurrentExecutions"] == 3
    got = checked_call(client, "get_function_concurrency", FunctionName="orders")
    assert got["ReservedConcurrentExecutions"] == 3
    checked_call(client, "delete_function_concurrency", FunctionName="orders")
    assert "Concurrency" not in client.get_function(FunctionName="orders")
    with pytest.raises(ClientError) as exc:
        client.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=5000)
    assert error_code(exc) == ("InvalidParameterValueException", 400)
