"""Hypothesis strategies for DynamoDB attribute values and stream records (Lambda form)."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import strategies as st

# DynamoDB strings are UTF-8: no lone surrogates.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)

# Up to 38 significant digits, with optional sign, fraction and exponent, kept verbatim.
numbers = st.one_of(
    st.from_regex(r"-?[1-9][0-9]{0,37}", fullmatch=True),
    st.from_regex(r"-?0\.[0-9]{1,38}", fullmatch=True),
    st.from_regex(r"-?[1-9][0-9]{0,18}\.[0-9]{1,19}", fullmatch=True),
    st.from_regex(r"[1-9](\.[0-9]{1,37})?E[+-]?[0-9]{1,3}", fullmatch=True),
    st.just("0"),
    st.just("99999999999999999999999999999999999999"),
)
binaries_b64 = st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode("ascii"))

scalars = st.one_of(
    text.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    binaries_b64.map(lambda b: {"B": b}),
    st.just({"NULL": True}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.lists(text, min_size=1, max_size=4, unique=True).map(lambda v: {"SS": v}),
    st.lists(numbers, min_size=1, max_size=4, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(max_size=8), min_size=1, max_size=4, unique=True).map(
        lambda v: {"BS": [base64.b64encode(b).decode("ascii") for b in v]}
    ),
)

attribute_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda v: {"L": v}),
        st.dictionaries(names, children, max_size=4).map(lambda v: {"M": v}),
    ),
    max_leaves=12,
)

items = st.dictionaries(names, attribute_values, min_size=1, max_size=6)
key_values = st.one_of(
    text.filter(bool).map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    st.binary(min_size=1, max_size=16).map(lambda b: {"B": base64.b64encode(b).decode("ascii")}),
)
keys = st.dictionaries(st.sampled_from(["pk", "sk"]), key_values, min_size=1, max_size=2)
sequence_numbers = st.integers(min_value=10**20, max_value=10**40 - 1).map(str)
# Whole seconds (as AWS sends) and millisecond fractions (as moto sends).
creation_times = st.one_of(
    st.integers(min_value=1_400_000_000, max_value=2_100_000_000),
    st.integers(min_value=1_400_000_000_000, max_value=2_100_000_000_000).map(lambda ms: ms / 1000),
)
regions = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"])


@st.composite
def lambda_records(draw: st.DrawFn) -> dict[str, Any]:
    """One record exactly as Lambda puts it in a DynamoDB stream event."""
    region = draw(regions)
    event_name = draw(st.sampled_from(["INSERT", "MODIFY", "REMOVE"]))
    view = draw(st.sampled_from(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]))
    record_keys = draw(keys)
    ddb: dict[str, Any] = {"ApproximateCreationDateTime": draw(creation_times), "Keys": record_keys}
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and event_name != "REMOVE":
        ddb["NewImage"] = {**draw(items), **record_keys}
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and event_name != "INSERT":
        ddb["OldImage"] = {**draw(items), **record_keys}
    ddb["SequenceNumber"] = draw(sequence_numbers)
    ddb["SizeBytes"] = draw(st.integers(min_value=1, max_value=400_000))
    ddb["StreamViewType"] = view
    record: dict[str, Any] = {
        "eventID": draw(st.uuids()).hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": ddb,
    }
    if event_name == "REMOVE" and draw(st.booleans()):
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    table = draw(st.from_regex(r"[A-Za-z0-9_.-]{3,20}", fullmatch=True))
    record["eventSourceARN"] = (
        f"arn:aws:dynamodb:{region}:123456789012:table/{table}/stream/2026-01-01T00:00:00.000"
    )
    return record
