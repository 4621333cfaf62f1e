"""Chaos: ``quirks recover`` over pointers in several queues, killed (``kill -9``) at random moments
and right after each durable write (archive, manifest, a batch of deletes), rerun until the queues
are empty.

Checked from the archives on disk, against the stream's own records: every pointed record is in an
archive (``lost`` otherwise: a pointer deleted before its archive was written), how many records are
in more than one archive (``duplicated``, which must be 0: a rerun leaves out what earlier runs
archived), and that every queue ends empty.

Run: ``python -m tests.chaos.recovery`` (``CHAOS_RECORDS``, default 10,000; ``CHAOS_SEED``).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from quirks import aws
from quirks.limits import DEFAULT_ACCOUNT as ACCOUNT
from quirks.testing import sns_notification
from tests.chaos.common import REPO, Summary, fresh_moto, records_from_env, scoped_environ
from tests.functional.recovery.helpers import pointer
from tests.support.dynamo import create_stream_table

QUEUES = ("orders-billing-failures", "orders-search-failures", "orders-analytics-failures")
REGION = "us-east-1"
MAX_RUNS = 400


def _reveal(queue: str) -> None:
    """The visibility timeout of a killed run's messages has passed (moto runs in this process)."""
    from moto.sqs.models import sqs_backends

    for message in sqs_backends[ACCOUNT][REGION].queues[queue]._messages:
        message.change_visibility(0)


def _left(queue: str) -> int:
    from moto.sqs.models import sqs_backends

    return len(sqs_backends[ACCOUNT][REGION].queues[queue]._messages)


def _archived(directory: Path) -> dict[str, int]:
    """Sequence number -> number of distinct archive files holding it."""
    counts: dict[str, int] = {}
    for path in directory.rglob("*.jsonl.gz"):
        for line in gzip.decompress(path.read_bytes()).splitlines():
            if line:
                sequence = json.loads(line)["dynamodb"]["SequenceNumber"]
                counts[sequence] = counts.get(sequence, 0) + 1
    return counts


def _write(table: Any, records: int) -> None:
    ddb = aws.client("dynamodb")
    for first in range(0, records, 25):
        ddb.batch_write_item(
            RequestItems={
                table.name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"k{i:06d}"}, "n": {"N": str(i)}}}}
                    for i in range(first, min(first + 25, records))
                ]
            }
        )


def run(records: int, seed: int = 1) -> Summary:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    started = time.monotonic()
    rng = random.Random(seed)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    fresh_moto()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "chaos",
        "AWS_SECRET_ACCESS_KEY": "chaos",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
    }
    env.pop("AWS_PROFILE", None)
    with scoped_environ(
        **{k: env[k] for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    ):
        aws.configure(aws.AwsSettings(endpoint_url=endpoint, region=REGION))
        kills = runs = 0
        try:
            table = create_stream_table("chaos-orders")
            _write(table, records)
            raw = table.read_all()
            shard = table.shard_ids()[0]
            urls = {q: aws.client("sqs").create_queue(QueueName=q)["QueueUrl"] for q in QUEUES}
            pointed: set[str] = set()
            first = 0
            pointers = 0
            while first < len(raw):
                size = rng.randint(1, 50)
                batch = raw[first : first + size]
                first += size
                body = pointer(table.stream_arn, shard, batch)
                if rng.random() < 0.3:
                    body = sns_notification(body)
                aws.client("sqs").send_message(
                    QueueUrl=urls[rng.choice(QUEUES)], MessageBody=json.dumps(body)
                )
                pointed.update(str(r["dynamodb"]["SequenceNumber"]) for r in batch)
                pointers += 1
            archive = Path(tempfile.mkdtemp(prefix="chaos-recovery-"))
            exit_codes: list[int] = []
            # Queue 0: killed right after its N-th archive/manifest write, N = 1, 2, 3, ... (after
            # every write); queue 1: right after its N-th batch of deletes; queue 2: at random
            # moments. Each queue is rerun until a run completes and the queue is empty.
            for index, (queue, url) in enumerate(urls.items()):
                nth = 0
                while _left(queue) and runs < MAX_RUNS:
                    runs += 1
                    nth += 1
                    child_env = dict(env)
                    if index == 0:
                        child_env["CHAOS_KILL_AFTER"] = f"archive:{nth}"
                    elif index == 1:
                        child_env["CHAOS_KILL_AFTER"] = f"delete:{nth}"
                    command = [sys.executable, "-m", "tests.chaos.recover_hook", "recover"]
                    command += ["--queue", url, "--to", str(archive), "--json"]
                    command += ["--visibility-timeout", "30"]
                    process = subprocess.Popen(
                        command,
                        env=child_env,
                        cwd=REPO,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    if index == 2 and nth <= 4:
                        try:
                            process.wait(timeout=rng.uniform(0.5, 4.0))
                        except subprocess.TimeoutExpired:
                            process.send_signal(signal.SIGKILL)
                    code = process.wait(timeout=600)
                    exit_codes.append(code)
                    if code == -signal.SIGKILL:
                        kills += 1
                        _reveal(queue)
            archived = _archived(archive)
            shutil.rmtree(archive, ignore_errors=True)
            left = {q: _left(q) for q in QUEUES}
        finally:
            aws.configure(aws.AwsSettings())
            server.stop()
    lost = len(pointed - set(archived))
    violations = [f"{q}: {n} messages left" for q, n in left.items() if n]
    return Summary(
        scenario="recovery",
        written=len(pointed),
        lost=lost,
        duplicated=sum(n - 1 for n in archived.values()),
        exactly_once=True,
        kills=kills,
        seconds=time.monotonic() - started,
        detail={
            "pointers": pointers,
            "queues": len(QUEUES),
            "runs": runs,
            "exit_codes": sorted(set(exit_codes)),
            "violations": violations,
            "seed": seed,
        },
    )


def main() -> int:
    summary = run(records_from_env(10_000), int(os.environ.get("CHAOS_SEED", "1")))
    print(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
