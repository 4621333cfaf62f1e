"""A rerun after a kill archives nothing twice: what earlier runs archived at ``--to`` is left out.

The chaos run that motivated it: ``quirks recover`` killed between an archive write and the message
delete; the next run merged the leftover pointers with others into a different range and archived
113 records a second time.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from quirks.streams import read_archive
from tests.functional.recovery.conftest import Stream
from tests.functional.recovery.helpers import ground_truth, pointer, seq
from tests.functional.recovery.test_recover_cli import queue_bodies, send
from tests.support.cli import run_parsed


def archived_sequences(directory: Path) -> list[str]:
    """Every sequence number in every archive, repeats included."""
    found: list[str] = []
    for path in sorted((directory / "dynamodb").rglob("*.jsonl.gz")):
        lines = gzip.decompress(path.read_bytes()).splitlines()
        found += [json.loads(line)["dynamodb"]["SequenceNumber"] for line in lines if line]
    return found


def test_a_rerun_merging_an_archived_pointer_with_new_ones_archives_only_the_new_records(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    middle = pointer(stream.arn, stream.shard_id, raw[5:10])
    send(queue_url, middle)
    # As if killed after the archive write: the archive is there, the message is not deleted.
    code, _, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--keep", "--json"
    )
    assert code == 0, err
    send(
        queue_url,
        pointer(stream.arn, stream.shard_id, raw[0:5]),
        pointer(stream.arn, stream.shard_id, raw[10:15]),
    )
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--json"
    )
    assert code == 0, err
    assert summary["ranges"] == 1  # the three pointers merge into 0..14
    assert summary["records_lost"] == 0
    assert summary["count_mismatches"] == []
    assert summary["messages_deleted"] == 3
    assert queue_bodies(queue_url) == []
    sequences = archived_sequences(tmp_path)
    assert sorted(sequences) == sorted(seq(r) for r in raw[0:15])  # each exactly once
    [archive] = (Path(p) for p in summary["archives"])
    expected = ground_truth(raw, stream.arn, int(seq(raw[0])), int(seq(raw[14])))
    new = {seq(r) for r in raw[0:5] + raw[10:15]}
    assert read_archive(archive) == [r for r in expected if r["dynamodb"]["SequenceNumber"] in new]


def test_a_pointer_whose_range_is_fully_archived_is_deleted_without_reading(
    stream: Stream, queue_url: str, tmp_path: Path
) -> None:
    raw = stream.raw
    send(queue_url, pointer(stream.arn, stream.shard_id, raw[0:20]))
    code, _, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--keep", "--json"
    )
    assert code == 0, err
    send(queue_url, pointer(stream.arn, stream.shard_id, raw[5:10]))  # inside the archived range
    code, summary, err = run_parsed(
        "recover", "--queue", queue_url, "--to", str(tmp_path), "--json"
    )
    assert code == 0, err
    assert summary["archives"] == []
    assert summary["api_calls"].get("GetRecords", 0) == 0
    assert summary["messages_deleted"] == 2
    assert summary["records_lost"] == 0
    assert sorted(archived_sequences(tmp_path)) == sorted(seq(r) for r in raw[0:20])
