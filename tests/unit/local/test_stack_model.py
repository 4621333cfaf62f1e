"""Stack files load once into the typed model (``quirks.local.stack_model``) that provisioning reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from quirks.alerts.patterns import DEFAULT_PATTERN
from quirks.errors import ConfigurationError
from quirks.limits import FILTER_NAME
from quirks.local.stack import (
    BucketSpec,
    FunctionSpec,
    InvokeConfigSpec,
    LogSubscriptionSpec,
    MappingSpec,
    QueueSpec,
    RedriveSpec,
    Stack,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
    load_stack,
)
from quirks.local.stack_schema import StackFileError

STACKS = Path(__file__).parents[2] / "functional" / "local" / "stacks"

EVERY_SECTION = """
region = "eu-west-1"
paths = ["."]

[[tables]]
name = "orders"
range_key = "sk"
stream = "NEW_IMAGE"

[[tables]]
name = "ledger"
hash_key = "id"

[[queues]]
name = "dlq"

[[queues]]
name = "work"
attributes = { VisibilityTimeout = 30, FifoQueue = false }
redrive = { target = "queue:dlq", max_receive_count = 5 }

[[topics]]
name = "events"
subscriptions = [{ endpoint = "queue:work" }, { protocol = "lambda", endpoint = "function:f" }]

[[buckets]]
name = "archive"

[[functions]]
name = "f"
handler = "app.handler"
environment = { LIMIT = 3, MODE = "fast" }
timeout = 10
memory = 256
log_format = "JSON"
dead_letter = "queue:dlq"

[[event_invoke_configs]]
function = "f"
maximum_retry_attempts = 0
on_failure = "queue:dlq"

[[event_source_mappings]]
function = "f"
source = "table:orders"
starting_position = "LATEST"
batch_size = 7
bisect = false
filters = [{ eventName = ["INSERT"] }, '{"dynamodb": {"Keys": {"pk": {"S": ["a"]}}}}']

[[event_source_mappings]]
function = "f"
source = "queue:work"
report_batch_item_failures = true

[[log_subscriptions]]
function = "f"
destination = "function:f"

[[log_subscriptions]]
log_group = "/custom/group"
destination = "function:f"
name = "mine"
filter_pattern = "ERROR"
"""


def test_every_section_loads_into_its_typed_spec(tmp_path: Path) -> None:
    path = tmp_path / "stack.toml"
    path.write_text(EVERY_SECTION)
    assert load_stack(path) == Stack(
        region="eu-west-1",
        paths=(str(tmp_path.resolve()),),
        base_dir=tmp_path.resolve(),
        tables=(
            TableSpec("orders", range_key="sk", stream="NEW_IMAGE"),
            TableSpec("ledger", hash_key="id"),
        ),
        queues=(
            QueueSpec("dlq"),
            QueueSpec(
                "work",
                attributes={"VisibilityTimeout": 30, "FifoQueue": False},
                redrive=RedriveSpec("queue:dlq", max_receive_count=5),
            ),
        ),
        topics=(
            TopicSpec(
                "events",
                subscriptions=(
                    SubscriptionSpec("queue:work"),
                    SubscriptionSpec("function:f", protocol="lambda"),
                ),
            ),
        ),
        buckets=(BucketSpec("archive"),),
        functions=(
            FunctionSpec(
                "f",
                "app.handler",
                environment={"LIMIT": "3", "MODE": "fast"},  # Lambda's variables are strings
                timeout=10,
                memory=256,
                log_format="JSON",
                dead_letter="queue:dlq",
            ),
        ),
        event_invoke_configs=(
            InvokeConfigSpec("f", maximum_retry_attempts=0, on_failure="queue:dlq"),
        ),
        event_source_mappings=(
            MappingSpec(
                "f",
                "table:orders",
                starting_position="LATEST",
                batch_size=7,
                bisect=False,
                filters=(
                    {"eventName": ["INSERT"]},
                    '{"dynamodb": {"Keys": {"pk": {"S": ["a"]}}}}',
                ),
            ),
            MappingSpec("f", "queue:work", report_batch_item_failures=True),
        ),
        log_subscriptions=(
            LogSubscriptionSpec("function:f", function="f"),
            LogSubscriptionSpec(
                "function:f", log_group="/custom/group", name="mine", filter_pattern="ERROR"
            ),
        ),
    )


def test_left_out_fields_take_the_aws_defaults() -> None:
    stack = load_stack(STACKS / "fanout.toml")
    fanout = next(f for f in stack.functions if f.name == "fanout")
    assert (fanout.timeout, fanout.memory, fanout.log_format, fanout.dead_letter) == (
        30,
        128,
        "Text",
        None,
    )
    assert fanout.fanout is not None
    assert fanout.fanout["failure_destination"] == "s3://fanout-failures/diverted"
    (subscription,) = stack.log_subscriptions
    assert (subscription.name, subscription.filter_pattern) == (FILTER_NAME, DEFAULT_PATTERN)
    assert subscription.group == "/aws/lambda/billing"
    (mapping,) = stack.event_source_mappings
    assert (mapping.batch_size, mapping.bisect, mapping.maximum_record_age) == (None, None, None)
    assert stack.tables == (TableSpec("orders", stream="NEW_AND_OLD_IMAGES"),)


def test_a_log_subscription_without_a_group_or_function_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="neither a function nor a log group"):
        _ = LogSubscriptionSpec("function:f").group


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "does not exist"),
        ("not toml ===", "is not valid TOML"),
        ("[[functions]]\nname = 'f'\nhandler = 'nodot'\n", "must be module.function"),
    ],
)
def test_stack_file_problems_are_configuration_errors(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "stack.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        load_stack(path)


def test_a_schema_error_names_its_field() -> None:
    error = StackFileError("functions[0] (f).timeout", "must be an integer, not 'ten'")
    assert (error.field, error.problem) == (
        "functions[0] (f).timeout",
        "must be an integer, not 'ten'",
    )
    assert error.message == "stack file: functions[0] (f).timeout: must be an integer, not 'ten'"
    assert error.fix == "see docs/local.md for the stack file format"


def test_the_module_docstring_example_loads(tmp_path: Path) -> None:
    """The example in ``quirks.local.stack``'s docstring is a valid stack file."""
    import quirks.local.stack as module

    assert module.__doc__ is not None
    lines = module.__doc__.split("::", 1)[1].split("\n\n", 1)[1].split("\n\nReferences")[0]
    example = "\n".join(line.removeprefix("    ") for line in lines.splitlines())
    path = tmp_path / "stack.toml"
    path.write_text(example)
    stack = load_stack(path)
    assert stack.functions == (
        FunctionSpec(
            "billing", "shop.billing.handler", environment={"TABLE": "orders"}, timeout=10
        ),
    )
    assert stack.event_source_mappings[0].on_failure == "queue:billing-failures"
