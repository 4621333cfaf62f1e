"""The test helper that checks served responses against botocore's model must be able to fail."""

from __future__ import annotations

import json

import pytest

from tests.support.shapes import operation_for_request, response_errors


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/2015-03-31/functions/orders/versions", "ListVersionsByFunction"),
        ("POST", "/2015-03-31/functions/orders/versions", "PublishVersion"),
        ("GET", "/2015-03-31/functions/", "ListFunctions"),
        ("GET", "/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:o", "GetFunction"),
        ("DELETE", "/2015-03-31/functions/orders/policy/sid-1", "RemovePermission"),
        ("GET", "/2017-03-31/tags/arn:aws:lambda:us-east-1:1:function:o", "ListTags"),
        ("GET", "/2019-09-25/functions/orders/event-invoke-config", "GetFunctionEventInvokeConfig"),
    ],
)
def test_requests_map_to_their_operation(method: str, path: str, name: str) -> None:
    model = operation_for_request("lambda", method, path)
    assert model is not None
    assert model.name == name


def test_unknown_paths_map_to_nothing() -> None:
    assert operation_for_request("lambda", "GET", "/2015-03-31/nothing-here") is None


def test_a_good_answer_passes_and_wrong_ones_are_named() -> None:
    model = operation_for_request("lambda", "GET", "/2015-03-31/functions/orders/policy")
    assert model is not None
    good = json.dumps({"Policy": "{}", "RevisionId": "r1"}).encode()
    assert response_errors(model, 200, {}, good) == []
    wrong = json.dumps({"Policy": {}, "Extra": 1}).encode()
    assert len(response_errors(model, 200, {}, wrong)) == 2
    declared = json.dumps({"Type": "User", "Message": "gone"}).encode()
    headers = {"X-Amzn-ErrorType": "ResourceNotFoundException"}
    assert response_errors(model, 404, headers, declared) == []
    misleading = {"X-Amzn-ErrorType": "FunctionNotFound"}
    (error,) = response_errors(model, 404, misleading, declared)
    assert "'FunctionNotFound'" in error
