"""`terraform apply` of terraform/examples/complete to the local cloud, unchanged, and what then
happens to real orders: every record reaches every consumer or is kept with its content, an error
reaches the (local) Slack webhook; a second apply after a change to one consumer's code updates that
function only, and its new code runs; `terraform destroy` leaves nothing behind.

Run with ``make e2e`` (marker ``e2e``): it builds the packages, so it needs the package index, and it
takes minutes. It drives the real hashicorp/aws provider (from the provider mirror) against
:class:`quirks.local.cloud.LocalCloud` in this process; the handlers run from the zips, in the
emulator's worker processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import boto3
import pytest

from quirks.local.webhook_sink import WebhookSink
from tests.support.shapes import operation_for_request, response_errors
from tests.terraform.conftest import ROOT, Terraform, plugin_dir, require_terraform

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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


@dataclass(frozen=True)
class Served:
    """One request the emulator answered (not moto), and its response."""

    method: str
    path: str
    target: str
    status: int
    headers: dict[str, str]
    body: bytes


def recording_cloud() -> Any:
    """A LocalCloud that keeps every request its Lambda emulator and log subscriptions serve."""
    from quirks.local.cloud import LocalCloud
    from quirks.local.lambda_api import LAMBDA_PATH_PREFIXES

    class RecordingCloud(LocalCloud):
        served: ClassVar[list[Served]] = []  # one class per cloud: see recording_cloud

        def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            path, target = environ.get("PATH_INFO", ""), environ.get("HTTP_X_AMZ_TARGET", "")
            if not (path.startswith(LAMBDA_PATH_PREFIXES) or target in EMULATED_LOGS_TARGETS):
                return super()._dispatch(environ, start_response)
            answer: dict[str, Any] = {}

            def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                answer.update(status=int(status.split()[0]), headers=dict(headers))
                return start_response(status, headers, exc_info)

            body = b"".join(super()._dispatch(environ, start))
            self.served.append(Served(environ["REQUEST_METHOD"], path, target, body=body, **answer))
            return [body]

    return RecordingCloud(port=0, time_factor=0.01)


EMULATED_LOGS_TARGETS = {
    f"Logs_20140328.{op}"
    for op in (
        "PutSubscriptionFilter",
        "DescribeSubscriptionFilters",
        "DeleteSubscriptionFilter",
        "PutAccountPolicy",
        "DescribeAccountPolicies",
        "DeleteAccountPolicy",
    )
}


@pytest.fixture(scope="module")
def local_cloud() -> Iterator[Any]:
    require_terraform()
    # time_factor scales Lambda's async retry delays (about 1 and 2 minutes) down to seconds.
    with recording_cloud() as local:
        yield local


@pytest.fixture(scope="module")
def cloud(local_cloud: Any) -> dict[str, str]:
    return local_cloud.environment()  # type: ignore[no-any-return]


def shape_problems(served: list[Served]) -> tuple[set[str], list[str]]:
    """The operations the emulator answered, and every way an answer departs from botocore's model
    (Invoke's payload is the function's own output, so only its status is checked)."""
    operations: set[str] = set()
    problems: list[str] = []
    for call in served:
        service = "logs" if call.target else "lambda"
        model = operation_for_request(service, call.method, call.path, call.target)
        if model is None:
            problems.append(f"{call.method} {call.path}: no {service} operation has this URI")
            continue
        operations.add(f"{service}:{model.name}")
        if model.name == "Invoke" and call.status < 300:
            continue
        problems += [
            f"{model.name} {call.method} {call.path} -> {call.status}: {error}"
            for error in response_errors(model, call.status, call.headers, call.body)
        ]
    return operations, problems


def client(env: dict[str, str], service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env.get("AWS_SESSION_TOKEN"),
    )


def package_changed_consumer(tmp_path: Path) -> tuple[Path, str]:
    """The consumers' code with one change (each ledger item gets ``revision: 2``), zipped."""
    folder = tmp_path / "consumers-v2"
    shutil.copytree(ROOT / "terraform/examples/consumers", folder)
    handler = folder / "consumer.py"
    line = 'batch.put_item(Item={"pk": f"{consumer}#{status}#{order}", "amount": amount})'
    assert line in handler.read_text(), "consumer.py changed: update this test's edit"
    handler.write_text(
        handler.read_text().replace(
            line, line.replace('"amount": amount}', '"amount": amount, "revision": 2}')
        )
    )
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "quirks",
            "package",
            "--code",
            str(folder),
            "--out",
            str(tmp_path / "v2"),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    (artifact,) = json.loads(built.stdout)["artifacts"]
    return Path(artifact["path"]), artifact["code_sha256"]


def planned_changes(tf: Terraform, plan: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """Address -> actions of every resource the saved plan would change."""
    shown = json.loads(tf.run("show", "-json", str(plan), env=env).stdout)
    return {
        change["address"]: change["change"]["actions"]
        for change in shown.get("resource_changes", [])
        if change["change"]["actions"] not in (["no-op"], ["read"])
    }


def failed_orders(env: dict[str, str], queue_url: str) -> dict[str, dict[str, Any]]:
    """Order id -> NewImage of every record in the async invocation records on ``queue_url``.

    Reads every message, then makes them all visible again: they stay for recovery.
    """
    sqs = client(env, "sqs")
    found: dict[str, dict[str, Any]] = {}
    handles: list[str] = []
    while messages := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
    ).get("Messages", []):
        for message in messages:
            handles.append(message["ReceiptHandle"])
            record = json.loads(message["Body"])
            assert record["requestContext"]["condition"] == "RetriesExhausted", record
            for item in record["requestPayload"]["Records"]:
                image = item["dynamodb"]["NewImage"]
                found[image["pk"]["S"]] = image
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return found


def quirks(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``quirks ... --json`` as a user would, against the local cloud; its JSON document."""
    done = subprocess.run(
        [sys.executable, "-m", "quirks", *args, "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"quirks {' '.join(args)}: {done.returncode}\n{done.stderr}"
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def queue_depth(env: dict[str, str], url: str) -> int:
    """Visible plus in-flight messages."""
    attributes = client(env, "sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def drain_bodies(env: dict[str, str], url: str) -> list[str]:
    """Receive and delete every message on ``url``; their bodies."""
    sqs = client(env, "sqs")
    bodies: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def leftovers(env: dict[str, str]) -> dict[str, list[str]]:
    """Everything of every kind the example creates that still exists (scheduled deletions aside)."""
    kms = client(env, "kms")
    keys = [
        meta["KeyId"]
        for k in kms.list_keys()["Keys"]
        if (meta := kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"])["KeyManager"] == "CUSTOMER"
        and meta["KeyState"] != "PendingDeletion"
    ]
    lambda_ = client(env, "lambda")
    return {
        "functions": [f["FunctionName"] for f in lambda_.list_functions()["Functions"]],
        "event source mappings": [
            m["UUID"] for m in lambda_.list_event_source_mappings()["EventSourceMappings"]
        ],
        "tables": client(env, "dynamodb").list_tables()["TableNames"],
        "queues": client(env, "sqs").list_queues().get("QueueUrls", []),
        "topics": [t["TopicArn"] for t in client(env, "sns").list_topics()["Topics"]],
        "subscriptions": [
            s["SubscriptionArn"] for s in client(env, "sns").list_subscriptions()["Subscriptions"]
        ],
        "buckets": [b["Name"] for b in client(env, "s3").list_buckets()["Buckets"]],
        "roles": [r["RoleName"] for r in client(env, "iam").list_roles()["Roles"]],
        "alarms": [
            a["AlarmName"] for a in client(env, "cloudwatch").describe_alarms()["MetricAlarms"]
        ],
        "log groups": [
            g["logGroupName"] for g in client(env, "logs").describe_log_groups()["logGroups"]
        ],
        "secrets": [s["Name"] for s in client(env, "secretsmanager").list_secrets()["SecretList"]],
        "parameters": [p["Name"] for p in client(env, "ssm").describe_parameters()["Parameters"]],
        "rules": [r["Name"] for r in client(env, "events").list_rules()["Rules"]],
        "kms keys": keys,
    }


def test_apply_use_and_destroy_the_complete_example(
    packages: dict[str, Path],
    local_cloud: Any,
    cloud: dict[str, str],
    sink: WebhookSink,
    tmp_path: Path,
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
    reapplied = float("nan")
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
        kept = wait_for(
            lambda: (found := failed_orders(cloud, failures)) and rejected <= set(found) and found,
            "every rejected order, in full, on the analytics failures queue",
        )
        assert all(kept[o]["amount"] == {"N": o.removeprefix("order-")} for o in rejected)
        # ...and recoverable: `quirks recover` archives them (each message is deleted once its
        # archive is written) and `quirks recover replay` sends them on, content intact.
        archives = tmp_path / "recovered"
        recovered = quirks(cloud, "recover", "--queue", failures, "--to", str(archives))
        assert (recovered["exit_code"], recovered["records_lost"]) == (0, 0), recovered
        assert recovered["records_recovered"] >= len(kept)
        assert recovered["unsupported_messages"] == [] == recovered["invalid_messages"]
        assert queue_depth(cloud, failures) == 0
        sqs = client(cloud, "sqs")
        replayed_url = sqs.create_queue(QueueName="e2e-replayed")["QueueUrl"]
        quirks(cloud, "recover", "replay", str(archives), "--to-queue", replayed_url)
        replayed = {
            image["pk"]["S"]: image
            for body in drain_bodies(cloud, replayed_url)
            if (image := json.loads(body)["dynamodb"]["NewImage"])
        }
        assert {o: replayed[o] for o in kept} == kept
        print(
            f"analytics: {len(rejected)} rejected, {len(kept)} orders kept on its failure queue, "
            f"{recovered['records_recovered']} records archived, {len(replayed)} replayed"
        )
        sqs.delete_queue(QueueUrl=replayed_url)

        # A change to one consumer's code: the plan updates that function only, and its code runs.
        functions = client(cloud, "lambda")
        names = [*outputs["consumer_function_names"]["value"].values()]
        names += [
            outputs["fanout_function_name"]["value"],
            outputs["alerts_function_name"]["value"],
        ]
        before = {n: functions.get_function(FunctionName=n)["Configuration"] for n in names}
        changed_zip, changed_sha = package_changed_consumer(tmp_path)
        variables.append(
            f"-var=consumer_package_files={json.dumps({'analytics': str(changed_zip)})}"
        )
        plan = tmp_path / "change.tfplan"
        started = time.monotonic()
        tf.run("plan", "-input=false", f"-state={state}", f"-out={plan}", *variables, env=env)
        analytics = outputs["consumer_function_names"]["value"]["analytics"]
        assert planned_changes(tf, plan, env) == {
            'module.consumer["analytics"].aws_lambda_function.this': ["update"]
        }
        tf.run("apply", "-input=false", f"-state={state}", str(plan), env=env, timeout=1800)
        reapplied = time.monotonic() - started
        after = {n: functions.get_function(FunctionName=n)["Configuration"] for n in names}
        assert after[analytics]["CodeSha256"] == changed_sha != before[analytics]["CodeSha256"]
        assert {n: after[n] for n in names if n != analytics} == {
            n: before[n] for n in names if n != analytics
        }
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "order-41"}, "amount": {"N": "41"}})

        def ledger_item(pk: str) -> dict[str, Any]:
            got = client(cloud, "dynamodb").get_item(TableName=ledger, Key={"pk": {"S": pk}})
            return got.get("Item", {})  # type: ignore[no-any-return]

        assert wait_for(lambda: ledger_item("analytics#processed#order-41"), "the new code")[
            "revision"
        ] == {"N": "2"}
        assert "revision" not in wait_for(
            lambda: ledger_item("billing#processed#order-41"), "billing, unchanged"
        )
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
        print(f"apply {applied:.0f} s, change {reapplied:.0f} s, destroy {destroyed:.0f} s")
    left = leftovers(cloud)
    assert left == {kind: [] for kind in left}, left
    # Every answer the provider (and the handlers) got from the emulator, in AWS's shapes.
    operations, problems = shape_problems(local_cloud.served)
    print(f"{len(local_cloud.served)} emulator calls, operations: {sorted(operations)}")
    assert not problems, "\n".join(problems[:40])
    assert {
        "lambda:CreateFunction",
        "lambda:UpdateFunctionCode",
        "logs:PutSubscriptionFilter",
    } <= operations
