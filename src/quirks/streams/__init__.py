"""The DynamoDB stream record: one model, its wire forms, the archive format, failure messages.

Everything that reads, writes, replays or fans out stream records goes through this package:

* :mod:`~quirks.streams.model` — :class:`StreamRecord`, the typed record;
* :mod:`~quirks.streams.codec` — lossless conversion between Lambda-event, ``get_records`` and
  archive forms, and building Lambda events;
* :mod:`~quirks.streams.archive` — the gzip JSON Lines archive format;
* :mod:`~quirks.streams.sequence` — sequence numbers as integers, ranges and their merging;
* :mod:`~quirks.streams.failures` — the parser for on-failure destination and DLQ messages.
"""

from quirks.streams.archive import (
    decode_line,
    encode_archive,
    encode_line,
    iter_archive,
    read_archive,
    write_archive,
    write_archive_file,
)
from quirks.streams.codec import (
    lambda_event,
    lambda_event_from_get_records,
    record_from_get_records,
    record_from_lambda,
    record_to_get_records,
    record_to_lambda,
    records_from_lambda_event,
)
from quirks.streams.failures import (
    AsyncInvocationFailure,
    BatchInfo,
    DeadLetterMessage,
    FailureMessage,
    StreamBatchFailure,
    parse_failure_message,
    parse_sqs_message,
)
from quirks.streams.model import StreamRecord, UserIdentity
from quirks.streams.sequence import (
    MergedRange,
    SequenceRange,
    merge_by_shard,
    merge_ranges,
    parse_sequence_number,
)

__all__ = [
    "AsyncInvocationFailure",
    "BatchInfo",
    "DeadLetterMessage",
    "FailureMessage",
    "MergedRange",
    "SequenceRange",
    "StreamBatchFailure",
    "StreamRecord",
    "UserIdentity",
    "decode_line",
    "encode_archive",
    "encode_line",
    "iter_archive",
    "lambda_event",
    "lambda_event_from_get_records",
    "merge_by_shard",
    "merge_ranges",
    "parse_failure_message",
    "parse_sequence_number",
    "parse_sqs_message",
    "read_archive",
    "record_from_get_records",
    "record_from_lambda",
    "record_to_get_records",
    "record_to_lambda",
    "records_from_lambda_event",
    "write_archive",
    "write_archive_file",
]
