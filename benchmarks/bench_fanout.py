"""Fan-out benchmark: one 1,000-record batch of ~1 KB items to 4 consumers, 20 ms per AWS call.

Run: ``.venv/bin/python benchmarks/bench_fanout.py`` (about a minute; prints a Markdown table).

Setup, all on 127.0.0.1 and all in child processes so that the CPU time measured here is the
dispatcher's alone:

* a moto server (``moto_server``), the AWS endpoint;
* in front of it, a tiny delaying HTTP proxy (this file, ``--proxy``) that sleeps 20 ms before
  forwarding each request: a per-call latency the client cannot avoid, as a real endpoint's
  round trip. (A wrapper sleeping inside the client would also work, but the proxy keeps the real
  HTTP path, request signing and payload transfer in the measurement.)

Compared, in the same run:

* **naive**: each of the 4 consumers invoked in turn (``InvocationType=Event``) with the whole event,
  as the existing fan-out projects do. Note: the event is ~1.2 MB, which real Lambda rejects (async
  limit 1 MB); moto does not enforce it, so the naive numbers are a best case.
* **fan-out, 4 Lambda targets**: the same 4 consumers, every record, chunked under 1 MB, in parallel.
* **fan-out, 4 target types**: Lambda, SQS, SNS (256 KiB messages), Kinesis, every record.
* **fan-out, 4 filtered Lambda targets**: each consumer gets the quarter of the records its filter
  selects (the naive approach cannot filter: every consumer receives every record).

Plus the dispatcher's CPU path alone (filter, encode, chunk, bookkeeping; a sender that does
nothing), in records per second.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RECORDS = 1_000
DELAY = 0.020
REPEATS = 7
ACCOUNT = "123456789012"
STREAM_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/2026-01-01T00:00:00.000"


# -- the delaying proxy (runs in a child process) -------------------------------------------------


def run_proxy(port: int, upstream: int, delay: float) -> None:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(delay)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream_conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
            upstream_conn.request(self.command, self.path, body=body, headers=headers)
            response = upstream_conn.getresponse()
            data = response.read()
            upstream_conn.close()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # clients closing kept-alive connections at exit are not errors

    server = Server(("127.0.0.1", port), Proxy)
    server.daemon_threads = True
    server.serve_forever()


# -- helpers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def make_record(seq: int) -> dict[str, Any]:
    key = {"pk": {"S": f"order-{seq:06d}"}}
    return {
        "eventID": f"{seq:032x}",
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1767225600,
            "Keys": key,
            "NewImage": {
                **key,
                "status": {"S": ["paid", "open", "shipped", "void"][seq % 4]},
                "total": {"N": str(seq * 7)},
                "notes": {"S": "n" * 850},
            },
            "SequenceNumber": str(10**20 + seq),
            "SizeBytes": 1000,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }


def setup_resources() -> dict[str, str]:
    from quirks import aws

    role = (
        aws.current()
        .client("iam")
        .create_role(
            RoleName="bench", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
        )["Role"]["Arn"]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    for i in range(4):
        aws.client("lambda").create_function(
            FunctionName=f"consumer-{i}",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": buffer.getvalue()},
        )
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="bench")["QueueUrl"]
    failures = sqs.create_queue(QueueName="bench-failures")["QueueUrl"]
    topic = aws.client("sns").create_topic(Name="bench")["TopicArn"]
    aws.client("kinesis").create_stream(StreamName="bench", ShardCount=1)
    return {"queue": queue, "failures": failures, "topic": topic, "stream": "bench"}


def measure(run: Any) -> tuple[float, float]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    from quirks import aws
    from quirks.fanout.config import parse_config
    from quirks.fanout.dispatcher import Dispatcher

    moto_port, proxy_port = free_port(), free_port()
    moto_bin = os.path.join(os.path.dirname(sys.executable), "moto_server")
    children = [
        subprocess.Popen(
            [moto_bin, "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, __file__, "--proxy", str(proxy_port), str(moto_port), str(DELAY)]
        ),
    ]
    try:
        wait_for(moto_port)
        wait_for(proxy_port)
        request = urllib.request.Request(
            f"http://127.0.0.1:{moto_port}/moto-api/config",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()
        for name, value in {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        }.items():
            os.environ[name] = value
        aws.configure(aws.AwsSettings())
        sinks = setup_resources()
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy_port}"
        aws.configure(aws.AwsSettings(max_attempts=1))

        records = [make_record(i) for i in range(1, RECORDS + 1)]
        event_bytes = json.dumps({"Records": records}).encode()
        divert = {"mode": "divert", "destination": sinks["failures"]}

        def lambda_targets(filtered: bool) -> Any:
            statuses = ["paid", "open", "shipped", "void"]
            return parse_config(
                {
                    "targets": [
                        {
                            "id": f"consumer-{i}",
                            "type": "lambda",
                            "destination": f"consumer-{i}",
                            "on_failure": divert,
                            **(
                                {"filter": {"dynamodb": {"NewImage": {"status": {"S": [s]}}}}}
                                if filtered
                                else {}
                            ),
                        }
                        for i, s in enumerate(statuses)
                    ]
                }
            )

        mixed = parse_config(
            {
                "targets": [
                    {
                        "id": "l",
                        "type": "lambda",
                        "destination": "consumer-0",
                        "on_failure": divert,
                    },
                    {"id": "q", "type": "sqs", "destination": sinks["queue"], "on_failure": divert},
                    {"id": "t", "type": "sns", "destination": sinks["topic"], "on_failure": divert},
                    {"id": "k", "type": "kinesis", "destination": "bench", "on_failure": divert},
                ]
            }
        )

        def naive() -> None:
            client = aws.client("lambda")
            for i in range(4):
                client.invoke(
                    FunctionName=f"consumer-{i}", InvocationType="Event", Payload=event_bytes
                )

        results: dict[str, tuple[float, float]] = {}
        per_target: dict[str, str] = {}
        naive()  # warm the connection pool and clients
        results["naive: 4 consumers in turn, whole event"] = measure(naive)
        for label, config in [
            ("fan-out: 4 Lambda targets, every record", lambda_targets(False)),
            ("fan-out: Lambda + SQS + SNS + Kinesis, every record", mixed),
            ("fan-out: 4 Lambda targets, filtered (1/4 each)", lambda_targets(True)),
        ]:
            dispatcher = Dispatcher(config)
            outcome = dispatcher.dispatch(records)
            assert outcome.batch_response() == {"batchItemFailures": []}, outcome.reports
            results[label] = measure(lambda d=dispatcher: d.dispatch(records))
            per_target[label] = ", ".join(
                f"{r.target}: {r.calls} calls {r.seconds * 1000:.0f} ms" for r in outcome.reports
            )
            dispatcher.close()

        cpu_dispatcher = Dispatcher(lambda_targets(False), send=lambda target, messages: {})
        cpu_runs = 20
        start = time.process_time()
        for _ in range(cpu_runs):
            cpu_dispatcher.dispatch(records)
        cpu_path = (time.process_time() - start) / cpu_runs
        cpu_dispatcher.close()
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)

    base_wall, base_cpu = results["naive: 4 consumers in turn, whole event"]
    print(
        f"{RECORDS} records, event {len(event_bytes):,} bytes, {DELAY * 1000:.0f} ms per call, median of {REPEATS}\n"
    )
    print("| approach | wall (ms) | CPU (ms) | wall vs naive | CPU vs naive |")
    print("|---|---:|---:|---:|---:|")
    for label, (wall, cpu) in results.items():
        print(
            f"| {label} | {wall * 1000:.0f} | {cpu * 1000:.0f} | "
            f"{wall / base_wall:.2f}x | {cpu / base_cpu:.2f}x |"
        )
    print("\nper target (first run):")
    for label, text in per_target.items():
        print(f"- {label}: {text}")
    print(
        f"\ndispatcher CPU path (4 targets, no I/O): {cpu_path * 1000:.1f} ms per batch, "
        f"{RECORDS / cpu_path:,.0f} records/s ({4 * RECORDS / cpu_path:,.0f} record-deliveries/s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", nargs=3, metavar=("PORT", "UPSTREAM", "DELAY"))
    args = parser.parse_args()
    if args.proxy:
        run_proxy(int(args.proxy[0]), int(args.proxy[1]), float(args.proxy[2]))
    else:
        main()
