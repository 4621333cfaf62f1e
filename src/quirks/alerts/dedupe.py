"""Noise control: one alert per fingerprint per delivery, and a suppression window across deliveries.

* :func:`group` folds identical fingerprints of one delivery into one :class:`Alert` with a count.
* A :class:`SuppressionStore` decides whether an alert goes out: the first occurrence opens a window
  of ``window_ms``; occurrences inside it are counted, not sent. When the window has closed, the next
  occurrence is sent with "N more since", and :meth:`SuppressionStore.due_follow_ups` turns windows
  that closed with suppressed occurrences into follow-up alerts.
* :class:`MemoryStore` keeps windows per container; :class:`DynamoStore` shares them between
  containers with conditional updates, so exactly one container sends each alert and follow-up, and
  sets a TTL so that idle fingerprints disappear.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast, get_args

from quirks import aws
from quirks.alerts.classify import ErrorKind, ErrorRecord
from quirks.alerts.fingerprint import fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


__all__ = [
    "Admission",
    "Alert",
    "DynamoStore",
    "MemoryStore",
    "SuppressionStore",
    "group",
]

SUMMARY_MESSAGE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Alert:
    """What is sent: one error, how often it occurred, and what was suppressed before it.

    ``count`` is the number of occurrences this alert stands for (in one delivery, or suppressed in
    a closed window for a follow-up). ``previously_suppressed`` and ``suppressed_since`` (epoch ms)
    carry "N more since" on a new alert after a closed window.
    """

    fingerprint: str
    record: ErrorRecord
    count: int = 1
    first_seen: int = 0
    last_seen: int = 0
    previously_suppressed: int = 0
    suppressed_since: int | None = None
    follow_up: bool = False


def group(records: Iterable[ErrorRecord]) -> list[Alert]:
    """One alert per fingerprint, in order of first appearance, carrying the first record."""
    alerts: dict[str, Alert] = {}
    for record in records:
        key = fingerprint(record)
        seen = alerts.get(key)
        if seen is None:
            alerts[key] = Alert(key, record, 1, record.timestamp, record.timestamp)
        else:
            alerts[key] = dataclasses.replace(
                seen,
                count=seen.count + 1,
                first_seen=min(seen.first_seen, record.timestamp),
                last_seen=max(seen.last_seen, record.timestamp),
            )
    return list(alerts.values())


@dataclass(frozen=True, slots=True)
class Admission:
    """The store's answer: send or not, and how many were suppressed in the previous window."""

    send: bool
    previously_suppressed: int = 0
    suppressed_since: int | None = None


class SuppressionStore(Protocol):
    """Where suppression windows live."""

    def admit(self, alert: Alert, now_ms: int) -> Admission:
        """Record ``alert.count`` occurrences; say whether this alert is to be sent."""
        ...

    def due_follow_ups(self, now_ms: int) -> list[Alert]:
        """Claim windows that closed with suppressed occurrences, as follow-up alerts."""
        ...


def _summary(record: ErrorRecord) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "function_name": record.function_name,
        "request_id": record.request_id,
        "error_type": record.error_type,
        "message": record.message[:SUMMARY_MESSAGE_CHARS],
        "stack": list(record.stack[:3]),
        "top_frame": record.top_frame,
        "timestamp": record.timestamp,
        "log_group": record.log_group,
        "log_stream": record.log_stream,
        "event_id": record.event_id,
    }


def _kind(value: Any) -> ErrorKind:
    # Summaries are written by _summary; anything else in the table is shown as generic JSON.
    return cast("ErrorKind", value) if value in get_args(ErrorKind) else "json"


def _record_from_summary(summary: Mapping[str, Any]) -> ErrorRecord:
    return ErrorRecord(
        kind=_kind(summary.get("kind")),
        function_name=str(summary.get("function_name", "")),
        request_id=summary.get("request_id"),
        error_type=str(summary.get("error_type", "")),
        message=str(summary.get("message", "")),
        stack=tuple(summary.get("stack") or ()),
        top_frame=summary.get("top_frame"),
        timestamp=int(summary.get("timestamp", 0)),
        log_group=str(summary.get("log_group", "")),
        log_stream=str(summary.get("log_stream", "")),
        event_id=str(summary.get("event_id", "")),
    )


def _follow_up(key: str, summary: Mapping[str, Any], count: int, since: int, end: int) -> Alert:
    record = _record_from_summary(summary)
    return Alert(key, record, count, since, end, suppressed_since=since, follow_up=True)


@dataclass
class _Window:
    end: int
    since: int
    suppressed: int
    summary: dict[str, Any]


class MemoryStore:
    """Suppression windows in this container's memory (lost on a cold start)."""

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def admit(self, alert: Alert, now_ms: int) -> Admission:
        with self._lock:
            window = self._windows.get(alert.fingerprint)
            if window is not None and window.end > now_ms:
                window.suppressed += alert.count
                return Admission(False)
            previous = (window.suppressed, window.since) if window else (0, None)
            self._windows[alert.fingerprint] = _Window(
                now_ms + self.window_ms, now_ms, 0, _summary(alert.record)
            )
            return Admission(True, previous[0], previous[1] if previous[0] else None)

    def due_follow_ups(self, now_ms: int) -> list[Alert]:
        with self._lock:
            due = []
            for key, window in self._windows.items():
                if window.suppressed and window.end <= now_ms:
                    due.append(
                        _follow_up(key, window.summary, window.suppressed, window.since, window.end)
                    )
                    window.suppressed = 0
            # Closed windows with nothing to report carry no information: forget them, so that
            # a long-lived container does not accumulate every fingerprint it ever saw.
            for key in [
                k for k, w in self._windows.items() if w.end <= now_ms and not w.suppressed
            ]:
                del self._windows[key]
            return due


class DynamoStore:
    """Suppression windows in a DynamoDB table shared by every container.

    Table: partition key ``fingerprint`` (S); enable TTL on ``expires_at``. Items hold
    ``window_end`` and ``since`` (epoch ms), ``suppressed`` (a counter) and ``summary`` (JSON text
    of the redacted first record, for follow-ups).
    """

    _NAMES: ClassVar[dict[str, str]] = {
        "#fp": "fingerprint",
        "#end": "window_end",
        "#since": "since",
        "#sup": "suppressed",
        "#ttl": "expires_at",
        "#sum": "summary",
    }

    def __init__(
        self,
        table: str,
        window_ms: int,
        *,
        clients: aws.ClientFactory | None = None,
        attempts: int = 5,
    ) -> None:
        self.table = table
        self.window_ms = window_ms
        self.client = (clients or aws.current()).client("dynamodb")
        self.attempts = attempts

    def _open_window(self, alert: Alert, now_ms: int) -> Admission | None:
        expires = (now_ms + 2 * self.window_ms) // 1000 + 86_400
        try:
            response = self.client.update_item(
                TableName=self.table,
                Key={"fingerprint": {"S": alert.fingerprint}},
                UpdateExpression="SET #end = :end, #since = :now, #sup = :zero, #ttl = :ttl, #sum = :sum",
                ConditionExpression="attribute_not_exists(#fp) OR #end <= :now",
                ExpressionAttributeNames=self._NAMES,
                ExpressionAttributeValues={
                    ":end": {"N": str(now_ms + self.window_ms)},
                    ":now": {"N": str(now_ms)},
                    ":zero": {"N": "0"},
                    ":ttl": {"N": str(expires)},
                    ":sum": {"S": json.dumps(_summary(alert.record))},
                },
                ReturnValues="ALL_OLD",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        old = response.get("Attributes") or {}
        suppressed = int(old["suppressed"]["N"]) if "suppressed" in old else 0
        since = int(old["since"]["N"]) if suppressed and "since" in old else None
        return Admission(True, suppressed, since)

    def _count(self, alert: Alert, now_ms: int) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"fingerprint": {"S": alert.fingerprint}},
                UpdateExpression="ADD #sup :count",
                ConditionExpression="#end > :now",
                ExpressionAttributeNames={"#sup": "suppressed", "#end": "window_end"},
                ExpressionAttributeValues={
                    ":count": {"N": str(alert.count)},
                    ":now": {"N": str(now_ms)},
                },
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def admit(self, alert: Alert, now_ms: int) -> Admission:
        # The two conditions are complementary, so one of them holds unless another container
        # changed the item in between: then try again.
        for _ in range(self.attempts):
            admission = self._open_window(alert, now_ms)
            if admission is not None:
                return admission
            if self._count(alert, now_ms):
                return Admission(False)
        return Admission(True)  # contended beyond reason: better a duplicate than a lost alert

    def due_follow_ups(self, now_ms: int) -> list[Alert]:
        due = []
        paginator = self.client.get_paginator("scan")
        pages = paginator.paginate(
            TableName=self.table,
            FilterExpression="#sup > :zero AND #end <= :now",
            ExpressionAttributeNames={"#sup": "suppressed", "#end": "window_end"},
            ExpressionAttributeValues={":zero": {"N": "0"}, ":now": {"N": str(now_ms)}},
        )
        for page in pages:
            for item in page.get("Items", []):
                key = item["fingerprint"]["S"]
                count = int(item["suppressed"]["N"])
                end = int(item["window_end"]["N"])
                try:  # claim: only the container whose update succeeds sends the follow-up
                    self.client.update_item(
                        TableName=self.table,
                        Key={"fingerprint": {"S": key}},
                        UpdateExpression="SET #sup = :zero",
                        ConditionExpression="#sup = :count AND #end = :end",
                        ExpressionAttributeNames={"#sup": "suppressed", "#end": "window_end"},
                        ExpressionAttributeValues={
                            ":zero": {"N": "0"},
                            ":count": {"N": str(count)},
                            ":end": {"N": str(end)},
                        },
                    )
                except self.client.exceptions.ConditionalCheckFailedException:
                    continue
                summary = json.loads(item.get("summary", {}).get("S", "{}"))
                due.append(_follow_up(key, summary, count, int(item["since"]["N"]), end))
        return due
