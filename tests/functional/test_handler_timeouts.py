"""Every real handler, invoked under Lambda's 3 s default timeout, logs one ERROR naming the setting.

The handlers run end to end (moto behind them) with an input that does no work, so that the only
ERROR they log is the cold-start timeout check's (the recovery handler, which SQS never invokes with
an empty batch, gets one message that is not a pointer, and says so too); the docs table must give
the same minimums.
"""

from __future__ import annotations

import base64
import gzip
import importlib
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from quirks.testing import lambda_context
from quirks.timeouts import MINIMUM_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from quirks import aws

DOCS = Path(__file__).parents[2] / "docs" / "deploy.md"

# A Lambda context as the runtime passes it, ~10 ms into a 3 s (the default) invocation.
CONTEXT = lambda_context("quirks-handler", remaining_ms=2_990, request_id="req-timeout")


def _control_message() -> dict[str, Any]:
    payload = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
               "logStream": "", "subscriptionFilters": [], "logEvents": []}  # fmt: skip
    data = base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()
    return {"awslogs": {"data": data}}


SQS_MESSAGE = {
    "messageId": "msg-0",
    "receiptHandle": "handle-0",
    "body": "not a pointer",
    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764165600000"},
    "messageAttributes": {},
    "md5OfBody": "x",
    "eventSource": "aws:sqs",
    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:on-failure",
    "awsRegion": "us-east-1",
}

# An event (and the environment) under which each handler runs to the end doing nothing.
INPUTS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "fanout": (
        {"Records": []},
        {
            "QUIRKS_FANOUT_CONFIG": json.dumps(
                {
                    "targets": [{"id": "a", "type": "lambda", "destination": "billing"}],
                    "failure_destination": "s3://failures/diverted",
                }
            )
        },
    ),
    "recovery": ({"Records": [SQS_MESSAGE]}, {"QUIRKS_ARCHIVE": "<tmp>"}),
    "alerts": (_control_message(), {"SLACK_WEBHOOK_URL": "https://hooks.slack.invalid/x"}),
    "alarms": ({}, {}),
}
# The ERRORs each handler logs for that input besides the timeout check's, per invocation.
OTHER_ERRORS = {"recovery": ["message left in the queue: not a DynamoDB stream pointer"]}


@pytest.mark.parametrize("handler", sorted(MINIMUM_TIMEOUT_SECONDS))
def test_each_handler_under_the_default_timeout_logs_one_error(
    aws_env: aws.ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    handler: str,
) -> None:
    module = importlib.import_module(f"quirks.{handler}.handler")
    module.reset()  # a fresh container: nothing built, the timeout checked again
    request.addfinalizer(module.reset)
    event, environment = INPUTS[handler]
    for name, value in environment.items():
        monkeypatch.setenv(name, str(tmp_path) if value == "<tmp>" else value)
    log = io.StringIO()
    monkeypatch.setattr(module.logger.registered_handler, "stream", log)

    module.lambda_handler(event, CONTEXT)
    module.lambda_handler(event, CONTEXT)  # a warm invocation checks nothing

    logged = [json.loads(line) for line in log.getvalue().splitlines() if line.strip()]
    errors = [entry for entry in logged if entry["level"] == "ERROR"]
    timeout = [entry for entry in errors if "Timeout" in entry["message"]]
    assert len(timeout) == 1, errors
    others = [entry["message"] for entry in errors if entry not in timeout]
    assert others == 2 * OTHER_ERRORS.get(handler, []), others
    errors = timeout
    minimum = MINIMUM_TIMEOUT_SECONDS[handler]  # type: ignore[index]
    message = errors[0]["message"]
    assert f"function timeout 3 s is below the {minimum} s the {handler} handler needs" in message
    assert (
        f"Timeout — Terraform `timeout`, AWS CLI `--timeout` — to at least {minimum} s" in message
    )
    assert errors[0]["minimum_timeout_seconds"] == minimum
    assert errors[0]["configured_timeout_seconds"] == 3


def test_the_docs_table_gives_the_same_minimums() -> None:
    rows = re.findall(
        r"^\| `quirks\.(\w+)\.handler\.lambda_handler` \| (\d+) s", DOCS.read_text(), re.MULTILINE
    )
    assert {name: int(seconds) for name, seconds in rows} == MINIMUM_TIMEOUT_SECONDS
