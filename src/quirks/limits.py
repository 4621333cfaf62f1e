"""AWS's size and count limits, and the fixed names the toolkit uses, in one table.

Every number the toolkit sizes a message, a batch or a payload by lives here, each with the AWS
page it comes from, the way botocore keeps facts as data. Where AWS writes "MB" we take the
smaller reading (10^6 bytes) unless the service's own error message gives the exact byte count.

Standard library only: the local Lambda's worker and every handler import it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_ACCOUNT",
    "EVENTBRIDGE_ENTRIES_PER_CALL",
    "EVENTBRIDGE_ENTRY_BYTES",
    "FILTER_NAME",
    "GLOBAL_TABLE_STREAM_READERS_PER_SHARD",
    "KINESIS_BYTES_PER_CALL",
    "KINESIS_RECORDS_PER_CALL",
    "KINESIS_RECORD_BYTES",
    "LAMBDA_ASYNC_PAYLOAD_BYTES",
    "LAMBDA_DEFAULT_TIMEOUT_SECONDS",
    "LAMBDA_SYNC_PAYLOAD_BYTES",
    "LOGS_FILTERS_PER_GROUP",
    "S3_DELETE_KEYS_PER_CALL",
    "SNS_ENTRIES_PER_CALL",
    "SNS_MAX_MESSAGE_BYTES",
    "SNS_MESSAGE_BYTES",
    "SQS_BATCH_BYTES",
    "SQS_DEFAULT_MESSAGE_BYTES",
    "SQS_ENTRIES_PER_CALL",
    "SQS_MAX_MESSAGE_BYTES",
    "SQS_RECEIVE_MAX_MESSAGES",
    "STREAM_READERS_PER_SHARD",
    "STREAM_RECORDS_PER_CALL",
]

# --- Lambda ---------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
# "Invocation payload (request and response): 6 MB each for synchronous, 1 MB for asynchronous."
# Lambda's own error names the exact counts ("Request must be smaller than 6291456 bytes for the
# InvokeFunction operation"), so these are binary megabytes. The asynchronous limit was raised from
# 256 KB to 1 MB in October 2025; the toolkit used to size async Lambda targets by 10^6 bytes and
# now sizes them, like the emulator and replay, by this one number.
LAMBDA_SYNC_PAYLOAD_BYTES: Final = 6 * 1024 * 1024
LAMBDA_ASYNC_PAYLOAD_BYTES: Final = 1024 * 1024
# A function created without a timeout runs for at most 3 seconds:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
LAMBDA_DEFAULT_TIMEOUT_SECONDS: Final = 3

# --- SQS ------------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
# A message, and a whole SendMessageBatch, may be up to 1 MiB; a batch holds at most 10 entries.
# A queue's MaximumMessageSize attribute may be lower; we assume 256 KiB when it cannot be read,
# the size of queues made by most tooling (the Terraform AWS provider 5.x sets it unless told
# otherwise); a smaller assumption never fails:
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
SQS_MAX_MESSAGE_BYTES: Final = 1_048_576
SQS_BATCH_BYTES: Final = 1_048_576
SQS_ENTRIES_PER_CALL: Final = 10
SQS_DEFAULT_MESSAGE_BYTES: Final = 262_144
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
# ("MaxNumberOfMessages ... Valid values: 1 to 10.")
SQS_RECEIVE_MAX_MESSAGES: Final = 10

# --- SNS ------------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/general/latest/gr/sns.html ("Message size: 256 KB")
# https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html (10 entries per call)
# An SNS Lambda-destination message is also capped at 256 KB:
# https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
SNS_MESSAGE_BYTES: Final = 262_144
SNS_MAX_MESSAGE_BYTES: Final = 1_048_576
SNS_ENTRIES_PER_CALL: Final = 10

# --- EventBridge ----------------------------------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html (PutEvents: 10 entries)
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
EVENTBRIDGE_ENTRY_BYTES: Final = 1_000_000
EVENTBRIDGE_ENTRIES_PER_CALL: Final = 10

# --- Kinesis Data Streams -------------------------------------------------------------------------
# https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
KINESIS_RECORD_BYTES: Final = 1_048_576
KINESIS_RECORDS_PER_CALL: Final = 500
KINESIS_BYTES_PER_CALL: Final = 5_242_880

# --- DynamoDB Streams -----------------------------------------------------------------------------
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing
# "No more than two processes at most should be reading from the same streams shard at the same time."
STREAM_READERS_PER_SHARD: Final = 2
# Same page: for a global table AWS recommends one reader per shard (replication reads the
# stream too), to avoid throttling.
GLOBAL_TABLE_STREAM_READERS_PER_SHARD: Final = 1
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
# ("Limit ... The upper limit is 1000.")
STREAM_RECORDS_PER_CALL: Final = 1000

# --- S3 -------------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html ("up to 1,000 keys")
S3_DELETE_KEYS_PER_CALL: Final = 1000

# --- CloudWatch Logs ------------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
# ("Subscription filters: 2 per log group. This quota can't be changed.")
LOGS_FILTERS_PER_GROUP: Final = 2

# --- Fixed names ----------------------------------------------------------------------------------
# The subscription filter `quirks alerts attach` and the local stacks create on each log group.
FILTER_NAME: Final = "quirks-errors"
# The account the local cloud (and moto) answers as, and the default in test payloads: the
# placeholder account AWS's own documentation examples use.
DEFAULT_ACCOUNT: Final = "123456789012"
