"""for_each and count in .tf files expand into the instances a plan would show."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from quirks.audit.model import Function, Mapping, Table
from quirks.audit.rules import qrk001_stream_readers
from quirks.audit.sources.expansion import Instance, bind, instances
from quirks.audit.sources.hcl import inventory_from_directory

if TYPE_CHECKING:
    from pathlib import Path

TABLE = """
resource "aws_dynamodb_table" "t" {
  name           = "t"
  stream_enabled = true
}
"""


def _stack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text(TABLE + text)
    return tmp_path


def _mappings(tmp_path: Path, text: str) -> list[Mapping]:
    return inventory_from_directory(_stack(tmp_path, text)).of(Mapping)


def test_for_each_over_a_variable_default_and_each_value_attributes(tmp_path: Path) -> None:
    inventory = inventory_from_directory(
        _stack(
            tmp_path,
            """
variable "consumers" {
  default = { a = { name = "fn-a", on = true }, b = { name = "fn-b", on = false } }
}
resource "aws_lambda_function" "c" {
  for_each      = var.consumers
  function_name = each.value.name
}
resource "aws_lambda_event_source_mapping" "c" {
  for_each         = var.consumers
  function_name    = aws_lambda_function.c[each.key].arn
  event_source_arn = aws_dynamodb_table.t.stream_arn
  enabled          = each.value.on
}
""",
        )
    )
    assert sorted(f.key for f in inventory.of(Function)) == [
        'aws_lambda_function.c["a"]',
        'aws_lambda_function.c["b"]',
    ]
    mappings = {m.name: m.enabled for m in inventory.of(Mapping)}
    assert mappings == {"fn-a <- t": True, "fn-b <- t": False}


def test_count_from_a_local_binds_count_index(tmp_path: Path) -> None:
    mappings = _mappings(
        tmp_path,
        """
locals { n = 3 }
resource "aws_lambda_function" "w" {
  count         = local.n
  function_name = "w-${count.index}"
}
resource "aws_lambda_event_source_mapping" "w" {
  count            = local.n
  function_name    = aws_lambda_function.w[count.index].arn
  event_source_arn = aws_dynamodb_table.t.stream_arn
}
""",
    )
    assert sorted(m.name for m in mappings) == ["w-0 <- t", "w-1 <- t", "w-2 <- t"]
    assert all("instances" not in m.unknown for m in mappings)


def test_an_unknown_collection_is_one_instance_of_an_unknown_number(tmp_path: Path) -> None:
    mappings = _mappings(
        tmp_path,
        """
resource "aws_lambda_event_source_mapping" "m" {
  count            = var.enabled ? 1 : 0
  function_name    = "fn"
  event_source_arn = aws_dynamodb_table.t.stream_arn
}
resource "aws_lambda_event_source_mapping" "n" {
  for_each         = { for k in data.x.y.names : k => k }
  function_name    = "fn-${each.key}"
  event_source_arn = aws_dynamodb_table.t.stream_arn
}
""",
    )
    assert [(m.key, "instances" in m.unknown) for m in mappings] == [
        ("aws_lambda_event_source_mapping.m", True),
        ("aws_lambda_event_source_mapping.n", True),
    ]


def test_readers_of_unknown_number_are_reported_as_at_least(tmp_path: Path) -> None:
    inventory = inventory_from_directory(
        _stack(
            tmp_path,
            """
resource "aws_lambda_event_source_mapping" "known" {
  count            = 2
  function_name    = "fn-${count.index}"
  event_source_arn = aws_dynamodb_table.t.stream_arn
}
resource "aws_lambda_event_source_mapping" "more" {
  count            = length(var.extra)
  function_name    = "extra"
  event_source_arn = aws_dynamodb_table.t.stream_arn
}
""",
        )
    )
    rule = qrk001_stream_readers.RULE
    findings = list(rule.check(inventory, rule))
    assert [f.name for f in findings] == ["t"]
    assert findings[0].message.startswith("at least 3 readers")
    assert "extra (for_each/count not evaluated: at least 1, maybe more)" in findings[0].message


def test_a_literal_disabled_mapping_is_no_reader(tmp_path: Path) -> None:
    inventory = inventory_from_directory(
        _stack(
            tmp_path,
            "".join(
                f"""
resource "aws_lambda_event_source_mapping" "m{i}" {{
  function_name    = "fn{i}"
  event_source_arn = aws_dynamodb_table.t.stream_arn
  enabled          = {"false" if i == 2 else "true"}
}}
"""
                for i in range(3)
            ),
        )
    )
    assert [m.enabled for m in inventory.of(Mapping)] == [True, True, False]
    assert inventory.find(Table, "aws_dynamodb_table.t") is not None
    rule = qrk001_stream_readers.RULE
    assert list(rule.check(inventory, rule)) == []


KEYS = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=6)


@given(KEYS)
def test_a_set_expands_to_its_distinct_sorted_members(keys: list[str]) -> None:
    body = {"for_each": keys, "name": "fn-${each.key}", "other": "${each.value}"}
    found = instances(body, lambda raw: raw, {})
    assert found is not None
    assert [index for index, _ in found] == [f"[{json.dumps(k)}]" for k in sorted(set(keys))]
    for (_, binding), key in zip(found, sorted(set(keys)), strict=True):
        assert bind(body, binding) == {"for_each": keys, "name": f"fn-{key}", "other": key}


def test_for_each_over_another_resource_binds_its_instances() -> None:
    bodies = {"aws_lambda_function.f": {"for_each": ["x"]}}
    body = {"for_each": "${aws_lambda_function.f}", "function_name": "${each.value.arn}"}
    literal = lambda raw: Instance("aws_lambda_function.f") if raw == body["for_each"] else raw  # noqa: E731
    found = instances(body, literal, bodies)
    assert found == [
        ('["x"]', {"each.key": "x", "each.value": Instance('aws_lambda_function.f["x"]')})
    ]
    assert bind(body, found[0][1])["function_name"] == '${aws_lambda_function.f["x"].arn}'


def test_too_many_or_negative_counts_stay_unexpanded() -> None:
    assert instances({"count": 10**6}, lambda raw: raw, {}) is None
    assert instances({"count": -1}, lambda raw: raw, {}) is None
    assert instances({"count": True}, lambda raw: raw, {}) is None


def test_resources_of_a_repeated_module_call_are_of_an_unknown_number(tmp_path: Path) -> None:
    child = tmp_path / "reader"
    child.mkdir()
    (child / "main.tf").write_text(
        """
variable "stream" {}
resource "aws_lambda_event_source_mapping" "this" {
  function_name    = "fn"
  event_source_arn = var.stream
}
"""
    )
    _stack(
        tmp_path,
        """
module "reader" {
  source   = "./reader"
  for_each = toset(["a", "b", "c"])
  stream   = aws_dynamodb_table.t.stream_arn
}
""",
    )
    inventory = inventory_from_directory(tmp_path)
    [mapping] = inventory.of(Mapping)
    assert "instances" in mapping.unknown
    rule = qrk001_stream_readers.RULE
    assert list(rule.check(inventory, rule)) == []  # at least 1 reader: within the limit
