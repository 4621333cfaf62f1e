"""Each record is JSON-encoded once per batch: targets, the S3 archive and the SQS divert reuse it."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from typing import Any

import pytest

from quirks import aws
from quirks.fanout.config import parse_config
from quirks.fanout.dispatcher import Dispatcher
from quirks.fanout.targets import EntryFailure, Outgoing
from tests.functional.fanout.conftest import RecordingSend, Sinks, make_record, receive_all


@pytest.mark.parametrize("where", ["s3", "sqs"])
def test_a_diverted_record_is_encoded_once(
    sinks: Sinks, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    records = [make_record(i) for i in range(1, 6)]
    encodes = {id(r): 0 for r in records}
    real_dumps = json.dumps

    def counting(value: Any, *args: Any, **kwargs: Any) -> str:
        if id(value) in encodes:
            encodes[id(value)] += 1
        return real_dumps(value, *args, **kwargs)

    destination = f"s3://{sinks.bucket}/diverted" if where == "s3" else sinks.failures

    def refuse_billing(target: Any, messages: Sequence[Outgoing]) -> dict[int, EntryFailure]:
        if target.id != "billing":
            return {}
        return dict.fromkeys(range(len(messages)), EntryFailure("InvalidParameter: no", False))

    config = parse_config(
        {
            "targets": [
                {
                    "id": "billing",
                    "type": "sqs",
                    "destination": sinks.queue,
                    "format": "record",
                    "on_failure": {"destination": destination},
                }
            ]
        }
    )
    dispatcher = Dispatcher(
        config, send=RecordingSend(fail=refuse_billing), clients=aws.current(), sleep=lambda s: None
    )
    try:
        with monkeypatch.context() as patched:
            patched.setattr(json, "dumps", counting)
            (report,) = dispatcher.dispatch(records).reports
    finally:
        dispatcher.close()
    assert report.diverted == 5
    assert encodes == {id(r): 1 for r in records}
    if where == "s3":
        s3 = aws.client("s3")
        [key] = [o["Key"] for o in s3.list_objects_v2(Bucket=sinks.bucket)["Contents"]]
        lines = gzip.decompress(s3.get_object(Bucket=sinks.bucket, Key=key)["Body"].read())
    else:
        lines = b"".join(m["Body"].encode() for m in receive_all(sinks.failures))
    assert [json.loads(line) for line in lines.splitlines()] == records
