"""Pointers in the documented on-failure format, built from real (moto) stream records, and a
fault-injecting DynamoDB Streams client for the errors moto cannot produce."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from quirks.streams import lambda_event_from_get_records
from quirks.testing import on_failure_pointer, s3_failure_object
from tests.support.clients import aws_error


def seq(raw: dict[str, Any]) -> str:
    return str(raw["dynamodb"]["SequenceNumber"])


def pointer(
    stream_arn: str,
    shard_id: str,
    records: list[dict[str, Any]],
    *,
    arrival: datetime | None = None,
    batch_size: int | None = None,
    payload: bool = False,
) -> dict[str, Any]:
    """The on-failure JSON Lambda sends for a failed batch of ``records`` (get_records form),
    built by :mod:`quirks.testing` (the same code as the local cloud's)."""
    arrival = arrival or datetime.now(UTC) - timedelta(minutes=5)
    lambda_records = lambda_event_from_get_records(records, stream_arn)["Records"]
    stamp = float(int(arrival.timestamp()))
    built = on_failure_pointer(
        lambda_records,
        shard_id=shard_id,
        request_id="316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
        now=stamp + 30,
        arrivals=(stamp, stamp),
    )
    body: dict[str, Any] = dict(s3_failure_object(built, lambda_records) if payload else built)
    if batch_size is not None:
        body["DDBStreamBatchInfo"] = {**body["DDBStreamBatchInfo"], "batchSize": batch_size}
    return body


def ground_truth(raw: list[dict[str, Any]], stream_arn: str, lo: int, hi: int) -> list[Any]:
    """The Lambda-form records of the stream whose sequence numbers lie in [lo, hi]."""
    records = lambda_event_from_get_records(raw, stream_arn)["Records"]
    return [r for r in records if lo <= int(r["dynamodb"]["SequenceNumber"]) <= hi]


def read_gz_lines(data: bytes) -> list[Any]:
    return [json.loads(line) for line in gzip.decompress(data).split(b"\n") if line]


def client_error(code: str, operation: str, message: str = "injected") -> ClientError:
    """The error a ``quirks.aws`` client raises (a ``ClientError`` mapped to ``AwsError``)."""
    return aws_error(code, operation, message)


class FaultyStreams:
    """Wraps a real DynamoDB Streams client; ``hooks[operation](kwargs, real, n)`` may raise,
    return a response, or return None to let the real call through. ``n`` counts calls (from 1)."""

    def __init__(self, real: Any, **hooks: Any) -> None:
        self.real = real
        self.hooks = hooks
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.real, name)

        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            hook = self.hooks.get(name)
            if hook is not None:
                count = sum(1 for called, _ in self.calls if called == name)
                result = hook(kwargs, real, count)
                if result is not None:
                    return result
            return real(**kwargs)

        return call
