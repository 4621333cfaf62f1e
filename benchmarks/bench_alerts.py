"""Events/s through decode + classify + fingerprint vs. plain decode (base64 + gunzip + json).

Run: ``.venv/bin/python benchmarks/bench_alerts.py`` (both measured in the same run; best of 15).
The payload holds 10,000 log events cycling through every recognized error shape of
``tests/events/alerts-log-events.json`` with varying request ids, as a subscription filter with the
default pattern delivers them (errors only), plus a mixed variant with 80 % non-error lines.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from quirks.alerts.classify import classify_batch  # noqa: E402
from quirks.alerts.decode import decode_event  # noqa: E402
from quirks.alerts.fingerprint import fingerprint  # noqa: E402
from quirks.testing import awslogs_event  # noqa: E402

EVENTS = 10_000
REPEATS = 15
FIXTURES = json.loads((ROOT / "tests/events/alerts-log-events.json").read_text(encoding="utf-8"))
TEMPLATE_ID = "8f5f1e8a-2b7c-4d1e-9a3f-0c6b5d4e3f21"


def payload(error_share: float) -> dict[str, object]:
    errors = [c["message"] for c in FIXTURES["recognized"]]
    noise = [m for m in FIXTURES["noise"] if m]
    every = max(1, round(1 / error_share)) if error_share < 1 else 1
    messages = []
    for i in range(EVENTS):
        if i % every == 0:
            message = errors[i % len(errors)].replace(TEMPLATE_ID, str(uuid.UUID(int=i)))
        else:
            message = noise[i % len(noise)]
        messages.append((1714644672345 + i, message))
    return awslogs_event(
        messages,
        ids=[str(10**50 + i) for i in range(EVENTS)],
        log_group="/aws/lambda/orders-api",
        log_stream="2024/05/02/[$LATEST]abc",
    )


def plain(event: dict[str, object]) -> int:
    data = event["awslogs"]["data"]  # type: ignore[index]
    return len(json.loads(gzip.decompress(base64.b64decode(data)))["logEvents"])


def full(event: dict[str, object]) -> int:
    batch = decode_event(event)
    keys = [fingerprint(record) for record in classify_batch(batch)]
    return len(batch.events) + 0 * len(keys)


def best(function: object, event: dict[str, object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function(event)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    print(f"python {sys.version.split()[0]}, {EVENTS} events per payload, best of {REPEATS}")
    print("| payload | plain decode events/s | decode+classify+fingerprint events/s | ratio |")
    print("|---|---|---|---|")
    for name, share in (("errors only (default pattern)", 1.0), ("20 % errors", 0.2)):
        event = payload(share)
        plain_s, full_s = best(plain, event), best(full, event)
        print(
            f"| {name} | {EVENTS / plain_s:,.0f} | {EVENTS / full_s:,.0f} "
            f"| {full_s / plain_s:.1f}x slower |"
        )


if __name__ == "__main__":
    main()
