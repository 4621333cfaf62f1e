"""`terraform apply` of terraform/examples/complete to the local cloud, unchanged, and what then
happens to real orders: every record reaches every consumer or is kept with its content, an error
reaches the (local) Slack webhook, and `terraform destroy` leaves nothing behind.

Run with ``make e2e`` (marker ``e2e``): it builds the packages, so it needs the package index, and it
takes minutes. It drives the real hashicorp/aws provider (from the provider mirror) against
:class:`quirks.local.cloud.LocalCloud` in this process; the handlers run from the zips, in the
emulator's worker processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from quirks.local.webhook_sink import WebhookSink
from tests.terraform.conftest import ROOT, Terraform, plugin_dir, require_terraform

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.e2e

EXAMPLE = ROOT / "terraform/examples/complete"
ORDERS = 40
DEADLINE_SECONDS = 300


def wait_for(condition: Callable[[], Any], what: str, seconds: float = DEADLINE_SECONDS) -> Any:
    """Poll ``condition`` until it returns something truthy, or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.5)  # polling a condition with a deadline, not a fixed wait


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    for args in (
        ["--out", str(out)],
        ["--code", str(ROOT / "terraform/examples/consumers"), "--out", str(out)],
    ):
        subprocess.run([sys.executable, "-m", "quirks", "package", *args], check=True, cwd=ROOT)
    return {
        "handlers": out / "quirks-lambda-python3.13-arm64.zip",
        "consumers": out / "consumers.zip",
    }


@pytest.fixture(scope="module")
def sink() -> Iterator[WebhookSink]:
    webhook = WebhookSink().start()
    yield webhook
    webhook.stop()


@pytest.fixture(scope="module")
def cloud() -> Iterator[dict[str, str]]:
    from quirks.local.cloud import LocalCloud

    require_terraform()
    # time_factor scales Lambda's async retry delays (about 1 and 2 minutes) down to seconds.
    with LocalCloud(port=0, time_factor=0.01) as local:
        yield local.environment()


def client(env: dict[str, str], service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env.get("AWS_SESSION_TOKEN"),
    )


def test_apply_use_and_destroy_the_complete_example(
    packages: dict[str, Path], cloud: dict[str, str], sink: WebhookSink, tmp_path: Path
) -> None:
    tf = Terraform(EXAMPLE, tmp_path / "tf-data")
    state = str(tmp_path / "terraform.tfstate")
    variables = [
        f"-var=package_file={packages['handlers']}",
        f"-var=consumers_package_file={packages['consumers']}",
        "-var=force_destroy=true",
    ]
    env = dict(cloud)
    tf.run("init", "-backend=false", f"-plugin-dir={plugin_dir()}", env=env)
    started = time.monotonic()
    tf.run(
        "apply",
        "-auto-approve",
        "-input=false",
        f"-state={state}",
        *variables,
        env=env,
        timeout=1800,
    )
    applied = time.monotonic() - started
    outputs = json.loads(tf.run("output", "-json", f"-state={state}", env=env).stdout)
    try:
        client(cloud, "secretsmanager").put_secret_value(
            SecretId=outputs["slack_webhook_secret_arn"]["value"], SecretString=sink.url
        )
        table = outputs["orders_table_name"]["value"]
        dynamodb = client(cloud, "dynamodb")
        for i in range(1, ORDERS + 1):
            dynamodb.put_item(
                TableName=table, Item={"pk": {"S": f"order-{i}"}, "amount": {"N": str(i)}}
            )
        for i in range(1, ORDERS + 1, 2):  # MODIFY events for the notifications consumer
            # (an update that changes nothing writes no stream record, on AWS as here)
            dynamodb.update_item(
                TableName=table,
                Key={"pk": {"S": f"order-{i}"}},
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": "shipped"}},
            )
        ledger = outputs["ledger_table_name"]["value"]

        def taken() -> set[str]:
            pages = client(cloud, "dynamodb").get_paginator("scan").paginate(TableName=ledger)
            return {item["pk"]["S"] for page in pages for item in page["Items"]}

        orders = {f"order-{i}" for i in range(1, ORDERS + 1)}
        rejected = {f"order-{i}" for i in range(7, ORDERS + 1, 7)}
        expected = (
            {f"billing#processed#{o}" for o in orders}
            | {f"search#processed#{o}" for o in orders}
            | {f"notifications#processed#order-{i}" for i in range(1, ORDERS + 1, 2)}
            | {f"analytics#processed#{o}" for o in orders - rejected}
            | {f"analytics#rejected#{o}" for o in rejected}
        )
        try:
            wait_for(lambda: expected <= taken(), "every consumer to record every order")
        except BaseException:
            print("missing:", sorted(expected - taken()))
            raise
        assert not {p for p in taken() if p.startswith("billing#rejected")}
        # analytics rejected multiples of 7: after Lambda's async retries the events, records and
        # all, are on its failure queue; and the error reached Slack.
        failures = outputs["analytics_failures_queue_url"]["value"]
        wait_for(
            lambda: int(
                client(cloud, "sqs").get_queue_attributes(
                    QueueUrl=failures, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]["ApproximateNumberOfMessages"]
            ),
            "the analytics failures on its on-failure queue",
        )
        sink_messages = wait_for(sink.received, "an alert at the Slack webhook")
        assert any("rejected orders" in json.dumps(m) for m in sink_messages)
    finally:
        started = time.monotonic()
        tf.run(
            "destroy",
            "-auto-approve",
            "-input=false",
            f"-state={state}",
            *variables,
            env=env,
            timeout=1800,
        )
        destroyed = time.monotonic() - started
        print(f"apply {applied:.0f} s, destroy {destroyed:.0f} s")
    assert client(cloud, "lambda").list_functions()["Functions"] == []
    assert client(cloud, "dynamodb").list_tables()["TableNames"] == []
    assert client(cloud, "sqs").list_queues().get("QueueUrls", []) == []
