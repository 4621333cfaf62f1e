"""The audit's small parsers, with generated inputs (hypothesis)."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from quirks.audit.model import excluded_log_groups, strip_index
from quirks.audit.sources.values import parse_suppressions, split_reference

GROUP = st.from_regex(r"/aws/lambda/[A-Za-z0-9_-]{1,20}", fullmatch=True)
NAME = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
KEY = st.one_of(st.integers(0, 99).map(str), NAME.map(json.dumps))


@given(st.lists(GROUP, max_size=5))
def test_excluded_groups_round_trip(groups: list[str]) -> None:
    criteria = f"LogGroupName NOT IN {json.dumps(groups)}"
    assert excluded_log_groups(criteria) == tuple(groups)


@given(st.text(max_size=200))
def test_excluded_groups_never_raise(text: str) -> None:
    assert isinstance(excluded_log_groups(text), tuple)


@given(
    st.lists(st.tuples(NAME, st.one_of(st.none(), KEY)), max_size=3),
    NAME,
    NAME,
    st.one_of(st.none(), KEY),
)
def test_addresses_split_and_strip(
    modules: list[tuple[str, str | None]], kind: str, name: str, index: str | None
) -> None:
    prefix = "".join(f"module.{m}{f'[{k}]' if k else ''}." for m, k in modules)
    address = f"{prefix}aws_{kind}.{name}{f'[{index}]' if index else ''}"
    assert split_reference(f"{address}.arn") == (address, "arn")
    assert "[" not in strip_index(address)
    assert strip_index(address).endswith(f"aws_{kind}.{name}")


@given(st.from_regex(r"QRK0[0-9]{2}", fullmatch=True), st.text(min_size=1, max_size=60))
def test_suppressions_keep_rule_and_reason(rule: str, reason: str) -> None:
    found = parse_suppressions((f"quirks:ignore {rule} {reason}",))
    # a colon may separate the rule from its reason; what is left must say something
    said = re.sub(r"^[:\s]*", "", reason).strip()
    if said and "\n" not in reason and "\r" not in reason:
        assert [s.rule for s in found] == [rule]
    assert all(s.reason for s in found)
