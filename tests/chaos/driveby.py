"""Chaos: a drive-by web page against ``quirks local up``.

A page the developer visits makes the browser send, byte for byte, what browsers send: simple
cross-origin POSTs (``text/plain``, form-encoded) that create and invoke a function or create a
queue, CORS preflights, and DNS-rebinding requests (the page's own ``Host``, signed or not). Every
one must be refused before any code runs: no function created, the victim's code never run (its
marker file never written), no queue planted, no ``Access-Control-Allow-Origin`` in any answer.

Run: ``python -m tests.chaos.driveby`` (``CHAOS_RECORDS`` is the number of drive-by requests,
default 200: the same attacks repeated on random paths).
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from quirks.limits import DEFAULT_ACCOUNT
from quirks.local.cloud import LocalCloud
from tests.chaos.common import Summary, fresh_moto, records_from_env
from tests.functional.local.test_guard import BROWSER_HEADERS, raw
from tests.support.zips import zipped

MARKER_CODE = """
import os, pathlib
def handler(event, context):
    pathlib.Path(os.environ["MARKER"]).write_text("ran")
"""
PATHS = (
    "/2015-03-31/functions",
    "/2015-03-31/functions/victim/invocations",
    "/2015-03-31/event-source-mappings/",
    "/",
    "/moto-api/reset",
    "/chaos-bucket/planted.txt",
)


def _attacks(
    cloud: LocalCloud, rng: random.Random, marker: Path
) -> list[tuple[str, str, bytes, dict[str, str]]]:
    port = urlsplit(cloud.url).port
    create = json.dumps(
        {
            "FunctionName": "planted",
            "Runtime": "python3.11",
            "Role": f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/x",
            "Handler": "app.handler",
            "Code": {"ZipFile": base64.b64encode(zipped(MARKER_CODE)).decode()},
            "Environment": {"Variables": {"MARKER": str(marker)}},
        }
    ).encode()
    form = dict(BROWSER_HEADERS, **{"Content-Type": "application/x-www-form-urlencoded"})
    no_origin = {k: v for k, v in BROWSER_HEADERS.items() if k != "Origin"}
    rebinding = dict(no_origin, Host=f"attacker.example:{port}")
    signed_rebinding = dict(
        rebinding,
        Authorization="AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host, Signature=00ff",
    )
    preflight = {
        "Origin": "https://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,x-amz-target,content-type",
    }
    path = rng.choice(PATHS)
    return [
        ("POST", "/2015-03-31/functions", create, BROWSER_HEADERS),
        ("POST", "/2015-03-31/functions/victim/invocations", b"{}", BROWSER_HEADERS),
        ("POST", "/2015-03-31/functions/victim/invocations", b"{}", no_origin),
        ("POST", "/", b"Action=CreateQueue&QueueName=planted", form),
        ("PUT", "/chaos-bucket/planted.txt", b"planted", BROWSER_HEADERS),
        ("OPTIONS", path, b"", preflight),
        ("POST", "/2015-03-31/functions/victim/invocations", b"{}", rebinding),
        ("POST", "/2015-03-31/functions/victim/invocations", b"{}", signed_rebinding),
        ("GET", "/moto-api/data.json", b"", rebinding),
    ]


def run(requests: int, seed: int = 1) -> Summary:
    started = time.monotonic()
    rng = random.Random(seed)
    marker = Path(tempfile.mkdtemp(prefix="chaos-driveby-")) / "victim-ran"
    served: list[str] = []
    cors: list[str] = []
    sent = 0
    with LocalCloud() as cloud:
        fresh_moto()
        lam = cloud.clients.client("lambda")
        lam.create_function(
            FunctionName="victim",
            Runtime="python3.11",
            Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/victim",
            Handler="app.handler",
            Code={"ZipFile": zipped(MARKER_CODE)},
            Environment={"Variables": {"MARKER": str(marker)}},
        )
        cloud.clients.client("s3").create_bucket(Bucket="chaos-bucket")
        while sent < requests:
            for method, path, body, headers in _attacks(cloud, rng, marker):
                if sent >= requests:
                    break
                sent += 1
                status, answer, _ = raw(cloud, method, path, body, headers)
                if status != 403:
                    served.append(f"{method} {path} -> {status}")
                if any(h.startswith("access-control-") for h in answer):
                    cors.append(f"{method} {path}")
        functions = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
        queues = cloud.clients.client("sqs").list_queues().get("QueueUrls", [])
        objects = (
            cloud.clients.client("s3").list_objects_v2(Bucket="chaos-bucket").get("KeyCount", 0)
        )
        cloud.lambda_service.wait_idle(timeout=10)
    violations = served[:5] + [f"CORS allowance on {c}" for c in cors[:5]]
    if marker.exists():
        violations.append("the victim's code ran")
    shutil.rmtree(marker.parent, ignore_errors=True)
    if functions != ["victim"]:
        violations.append(f"functions: {functions}")
    if queues:
        violations.append(f"queues planted: {queues}")
    if objects:
        violations.append(f"{objects} objects planted")
    return Summary(
        scenario="driveby",
        written=sent,
        lost=0,
        seconds=time.monotonic() - started,
        detail={"served": len(served), "refused": sent - len(served), "violations": violations},
    )


def main() -> int:
    summary = run(records_from_env(200), int(os.environ.get("CHAOS_SEED", "1")))
    print(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
