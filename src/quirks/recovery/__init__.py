"""Stream failure recovery: turn on-failure pointers into durable records before they expire.

* :mod:`~quirks.recovery.ranges` — pure planning: pointers, merged ranges, archive names, losses;
* :mod:`~quirks.recovery.reader` — reads a range from DynamoDB Streams (backoff, renewals, trims);
* :mod:`~quirks.recovery.sources` — SQS queue, file, S3 on-failure objects, Lambda SQS event;
* :mod:`~quirks.recovery.service` — orchestration: read, archive, manifest, then delete;
* :mod:`~quirks.recovery.report` — per-range outcomes and the run summary;
* :mod:`~quirks.recovery.replay` — send recovered records to a function or a queue;
* :mod:`~quirks.recovery.handler` — the SQS-triggered Lambda handler.

See ``docs/recovery.md`` for the guarantees.
"""
