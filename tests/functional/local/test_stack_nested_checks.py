"""Stack files: the nested values (queue attributes, mapping filters, inline fan-out, record age)
are checked by the code that will read them, before anything starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import botocore.session
import pytest

from quirks.errors import UserError
from quirks.local.stack import load_stack
from quirks.local.stack_schema import SQS_ATTRIBUTES
from quirks.testing import run_cli

if TYPE_CHECKING:
    from pathlib import Path

FUNCTION = "[[functions]]\nname = 'billing'\nhandler = 'shop.billing'\n"
TABLE = "[[tables]]\nname = 'orders'\nstream = 'NEW_IMAGE'\n"
QUEUE = "[[queues]]\nname = 'q'\n"
SQS_MAPPING = (
    FUNCTION + QUEUE + "[[event_source_mappings]]\nfunction = 'billing'\nsource = 'queue:q'\n"
)
STREAM_MAPPING = (
    FUNCTION + TABLE + "[[event_source_mappings]]\nfunction = 'billing'\nsource = 'table:orders'\n"
    "starting_position = 'LATEST'\n"
)
MAPPING = "event_source_mappings[0] (billing)"

# The two stacks a reviewer saw start silently.
TYPO_ATTRIBUTE = QUEUE + "attributes = { VisibiltyTimeout = '30' }\n"
BAD_FILTER = SQS_MAPPING + "filters = ['{not json']\n"


def _load(tmp_path: Path, text: str) -> UserError:
    path = tmp_path / "stack.toml"
    path.write_text(text)
    with pytest.raises(UserError) as raised:
        load_stack(path)
    return raised.value


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            TYPO_ATTRIBUTE,
            "queues[0] (q).attributes.VisibiltyTimeout",
            "unknown SQS queue attribute (did you mean 'VisibilityTimeout'?)",
        ),
        (
            QUEUE + "attributes = { DelaySeconds = [1] }\n",
            "queues[0] (q).attributes.DelaySeconds",
            "must be a string, integer or boolean, not [1]",
        ),
        (BAD_FILTER, f"{MAPPING}.filters[0]", "is not JSON"),
        (
            SQS_MAPPING + "filters = [{ body = { status = 'paid' } }]\n",
            f"{MAPPING}.filters[0].body.status",
            "must be a list of rules or an object, got 'paid'",
        ),
        (
            STREAM_MAPPING + "filters = ['[1, 2]']\n",
            f"{MAPPING}.filters[0]",
            "must be a JSON object",
        ),
        (
            FUNCTION + "fanout = { targets = [] }\n",
            "functions[0] (billing).fanout",
            "targets: must be a non-empty list",
        ),
        (
            FUNCTION + "fanout = { targets = [{ id = 'a', type = 'ftp', destination = 'x' }] }\n",
            "functions[0] (billing).fanout",
            "targets[a].type: 'ftp' is not one of",
        ),
        (
            STREAM_MAPPING + "maximum_record_age = 30\n",
            f"{MAPPING}.maximum_record_age",
            "30 is out of range (-1, or 60 to 604800)",
        ),
        (
            STREAM_MAPPING + "maximum_record_age = 0\n",
            f"{MAPPING}.maximum_record_age",
            "0 is out of range (-1, or 60 to 604800)",
        ),
        (
            STREAM_MAPPING + "maximum_record_age = 604801\n",
            f"{MAPPING}.maximum_record_age",
            "604801 is out of range (-1, or 60 to 604800)",
        ),
    ],
)
def test_nested_mistakes_name_entry_and_field(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    error = _load(tmp_path, text)
    assert error.message.startswith(f"stack file: {where}: "), error.message
    assert problem in error.message
    assert error.fix


def test_a_misspelt_attribute_gets_the_rename(tmp_path: Path) -> None:
    assert _load(tmp_path, TYPO_ATTRIBUTE).fix == "rename it to 'VisibilityTimeout'"


@pytest.mark.parametrize(
    "text",
    [
        QUEUE + "attributes = { VisibilityTimeout = 30, FifoQueue = false, Policy = '{}' }\n",
        SQS_MAPPING + "filters = [{ body = { status = ['paid'] } }, '{\"body\": {\"a\": [1]}}']\n",
        STREAM_MAPPING + "maximum_record_age = -1\n",
        STREAM_MAPPING + "maximum_record_age = 60\n",
        STREAM_MAPPING + "maximum_record_age = 604800\n",
        FUNCTION + "fanout = { targets = [{ id = 'a', type = 'lambda', destination = 'billing' }], "
        "failure_destination = 's3://b/p' }\n",
    ],
)
def test_right_nested_values_load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "stack.toml"
    path.write_text(text)
    load_stack(path)


def test_the_attribute_names_are_the_ones_create_queue_takes() -> None:
    shape = botocore.session.get_session().get_service_model("sqs").shape_for("QueueAttributeName")
    read_only = {"All", "QueueArn", "CreatedTimestamp", "LastModifiedTimestamp"}
    read_only |= {n for n in shape.enum if n.startswith("ApproximateNumberOf")}
    assert set(SQS_ATTRIBUTES) == set(shape.enum) - read_only


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (TYPO_ATTRIBUTE, "queues[0] (q).attributes.VisibiltyTimeout"),
        (BAD_FILTER, f"{MAPPING}.filters[0]"),
    ],
)
def test_local_up_refuses_them_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    where: str,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tmp_path / "stack.toml"
    path.write_text(text)
    captured = run_cli("local", "up", "--port", "0", "--stack", str(path))
    assert captured.exit_code == 2
    assert captured.stdout == ""
    assert captured.stderr.startswith(f"quirks: error: stack file: {where}: "), captured.stderr
    assert "(fix:" in captured.stderr
    assert not (tmp_path / "quirks").exists()  # no state file: no cloud was started
