"""Recovery converts each record to Lambda form once, and states its results from one place."""

from __future__ import annotations

import json
from pathlib import Path

from quirks import aws
from quirks.recovery.factory import build_recovery
from quirks.recovery.sources import QueueSource
from quirks.streams import read_archive
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import pointer


def test_replay_sends_the_very_records_written_to_the_archive(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    sqs = aws.client("sqs")
    for part in (stream.raw[0:5], stream.raw[20:23]):
        sqs.send_message(
            QueueUrl=queue_url, MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, part))
        )
    source = QueueSource(queue_url, visibility_timeout=60)
    report = build_recovery(str(tmp_path)).service().run(source, source.receive())
    recovered = report.recovered_records()
    assert len(recovered) == 8
    held = [r for o in report.outcomes for r in o.lambda_records]
    # The same objects, not a second conversion: and they are what the archives hold.
    assert all(a is b for a, b in zip(recovered, held, strict=True))
    archived = [r for o in report.outcomes if o.archive for r in read_archive(o.archive)]
    assert recovered == archived


def test_the_manifest_states_the_results_the_summary_states(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(pointer(stream.arn, stream.shard_id, stream.raw[0:4])),
    )
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody="garbage")
    source = QueueSource(queue_url, visibility_timeout=60)
    report = build_recovery(str(tmp_path)).service().run(source, source.receive())
    summary = report.summary()
    assert report.manifest is not None
    manifest = json.loads(Path(report.manifest).read_text())
    for key, value in report.results().items():
        assert manifest[key] == summary[key] == json.loads(json.dumps(value, default=str))
    assert manifest["ranges"] == summary["ranges_detail"]
    assert len(manifest["invalid_messages"]) == 1
    assert [m["id"] for m in manifest["source_messages"]] == [p.message_id for p in report.pointers]
